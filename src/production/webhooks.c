/* webhooks.c: project webhooks — URLs told about production changes with signed HTTP POSTs.
 *
 * Firing. Every production write goes through prod_event (access.c), which calls
 * prod_webhooks_fire in the request's transaction. That asks one indexed query for the
 * project's active webhooks (a project without any pays only that), matches each webhook's
 * patterns against the action, and for each match inserts a delivery row and enqueues a
 * "production.webhook" job. Both commit with the change or not at all: a rolled-back request
 * delivers nothing, and a committed one is delivered even if the server stops right after.
 *
 * Delivering. The job (prod_webhooks_job) POSTs the delivery's payload, exactly as stored,
 * signed with the webhook's secret: X-Mstation-Signature "t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, t "." body)>". The secret is 32 random bytes shown once at creation and
 * kept sealed (core/seal.h) because the server must read it again to sign. Each attempt's
 * outcome is written to the delivery row in a transaction of its own, committed before the
 * job queue records the job's fate, so it survives a retry. 2xx: delivered. 410 Gone: the
 * receiver asks us to stop, the webhook is turned off. Anything else: the handler fails and
 * the queue retries with its backoff until the attempts run out, then the delivery is failed.
 * Delivery is at least once: a worker that dies after the POST but before recording it posts
 * again, so receivers deduplicate on X-Mstation-Delivery.
 *
 * Server-side request forgery. A webhook URL is typed by a project supervisor, and the
 * server fetches it from inside the network it runs in. So: only http and https, no user
 * name or password in the URL, at most 2048 bytes, no redirects, no proxy from the
 * environment; and the address actually connected to (every address the name resolves to,
 * checked in curl's open-socket callback, so a DNS answer that changes between a check and
 * the connect gains nothing) must not be loopback, private, link-local, shared, multicast,
 * reserved or unspecified, unless the configuration says webhooks_allow_private (tests,
 * receivers on the same machine or LAN). Literal addresses are refused at creation already.
 *
 * It is not an event bus: there is no ordering between deliveries, and no batching. */
#include "production/prod_internal.h"

#include "core/config.h"
#include "core/log.h"
#include "core/seal.h"
#include "core/version.h"
#include "store/jobs.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HOOK_URL_MAX      2048
#define HOOK_PATTERNS_MAX 32
#define HOOK_PATTERN_MAX  64
#define HOOKS_PER_PROJECT 20
#define HOOK_ATTEMPTS     12 /* job queue backoff 5 s doubling, capped at 1 h: about 2.4 h */
#define HOOK_TIMEOUT_S    10L
#define HOOK_SEAL         "webhook"
#define HOOK_SECRET_PFX   "whsec_"

#define HOOK_COLS                                                                                  \
    "w.id, w.project_id, w.url, w.events AS events_json, w.active, w.disabled_reason, "            \
    "w.last_delivery_status, w.last_delivery_at, w.created_by, w.created_at, w.updated_at, "       \
    "w.version"
#define DELIVERY_COLS                                                                              \
    "d.id, d.webhook_id, d.project_id, d.event, d.origin, d.redelivery_of, d.status, "             \
    "d.attempts, d.last_http_status, d.last_error, d.duration_ms, d.created_at, "                  \
    "d.last_attempt_at, d.delivered_at, d.payload AS payload_json"

/* ---- Addresses: which ones a webhook may reach. ---- */

static bool v4_refused(const unsigned char a[4])
{
    uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    static const struct {
        uint32_t net;
        int bits;
    } nets[] = {
        {0x00000000, 8},  /* "this network", 0.0.0.0 */
        {0x0a000000, 8},  /* private */
        {0x64400000, 10}, /* shared address space (carrier NAT) */
        {0x7f000000, 8},  /* loopback */
        {0xa9fe0000, 16}, /* link-local, cloud metadata services */
        {0xac100000, 12}, /* private */
        {0xc0000000, 24}, /* IETF protocol assignments */
        {0xc0a80000, 16}, /* private */
        {0xc6120000, 15}, /* benchmarking */
        {0xe0000000, 4},  /* multicast */
        {0xf0000000, 4},  /* reserved, broadcast */
    };
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++)
        if ((x >> (32 - nets[i].bits)) == (nets[i].net >> (32 - nets[i].bits))) return true;
    return false;
}

static bool v6_refused(const unsigned char a[16])
{
    static const unsigned char zero[16] = {0};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    if (!memcmp(a, zero, 15) && (a[15] == 0 || a[15] == 1)) return true; /* :: and ::1 */
    if (!memcmp(a, zero, 12)) return true; /* IPv4-compatible (deprecated) */
    if (!memcmp(a, mapped, 12)) return v4_refused(a + 12);
    if (!memcmp(a, nat64, 12)) return v4_refused(a + 12);
    if ((a[0] & 0xfe) == 0xfc) return true;                 /* unique local fc00::/7 */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true; /* link-local fe80::/10 */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return true; /* site-local (deprecated) */
    if (a[0] == 0xff) return true;                          /* multicast */
    return false;
}

static bool sockaddr_refused(const struct sockaddr *sa, char *text, size_t cap)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, text, (socklen_t)cap);
        return v4_refused((const unsigned char *)&in->sin_addr);
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in->sin6_addr, text, (socklen_t)cap);
        return v6_refused((const unsigned char *)&in->sin6_addr);
    }
    snprintf(text, cap, "family %d", sa->sa_family);
    return true; /* unix sockets and the like: never */
}

/* A literal address in a URL's host ("10.0.0.1", "[::1]"): refused? Names are checked at
 * delivery, when they are resolved. */
static bool host_literal_refused(const char *host)
{
    unsigned char a[16];
    char h[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof h) {
        memcpy(h, host + 1, n - 2);
        h[n - 2] = 0;
        return inet_pton(AF_INET6, h, a) == 1 && v6_refused(a);
    }
    return inet_pton(AF_INET, host, a) == 1 && v4_refused(a);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Check a webhook URL; a field error on `field` when it is not acceptable. */
static int url_check(ms_error *err, const char *url, bool allow_private, const char *field)
{
    pthread_once(&curl_once, curl_init_once);
    if (strlen(url) > HOOK_URL_MAX)
        return ms_field_fail(err, field, "must be at most %d bytes", HOOK_URL_MAX);
    CURLU *u = curl_url();
    if (!u) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
    int rc = 0;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0])
        rc = ms_field_fail(err, field, "must be an absolute http or https URL");
    else if (strcmp(scheme, "http") && strcmp(scheme, "https"))
        rc = ms_field_fail(err, field, "must use http or https");
    else if (curl_url_get(u, CURLUPART_USER, &user, 0) != CURLUE_NO_USER ||
             curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) != CURLUE_NO_PASSWORD)
        rc = ms_field_fail(err, field, "must not hold a user name or password");
    else if (!allow_private && host_literal_refused(host))
        rc = ms_field_fail(err, field,
                           "points at a loopback, private, link-local or otherwise internal "
                           "address, which this server does not call (see webhooks_allow_private)");
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(pass);
    curl_url_cleanup(u);
    return rc;
}

/* ---- Event patterns. ---- */

/* "*", an action name ("task.updated"), or a prefix ending in ".*" ("task.*"). */
static bool pattern_valid(const char *p)
{
    size_t n = strlen(p);
    if (!strcmp(p, "*")) return true;
    if (n < 1 || n > HOOK_PATTERN_MAX || p[0] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
                  (ch == '*' && i == n - 1 && i > 0 && p[i - 1] == '.');
        if (!ok || (ch == '.' && p[i + 1] == '.')) return false;
    }
    return p[n - 1] != '.';
}

static bool pattern_match(const char *p, const char *action)
{
    size_t n = strlen(p);
    if (!strcmp(p, "*")) return true;
    if (n >= 2 && p[n - 1] == '*') return !strncmp(p, action, n - 1);
    return !strcmp(p, action);
}

static int events_check(ms_error *err, const json_t *events, const char *field)
{
    if (json_array_size(events) == 0)
        return ms_field_fail(err, field, "must name at least one event pattern");
    size_t i, j;
    json_t *v;
    json_array_foreach(events, i, v)
    {
        const char *p = json_string_value(v);
        if (!p || !pattern_valid(p))
            return ms_field_fail(err, field,
                                 "item %zu must be \"*\", an event such as \"task.updated\" or a "
                                 "prefix such as \"task.*\" (a-z, 0-9, _ and ., at most %d)",
                                 i, HOOK_PATTERN_MAX);
        for (j = 0; j < i; j++)
            if (!strcmp(p, json_string_value(json_array_get(events, j))))
                return ms_field_fail(err, field, "names \"%s\" twice", p);
    }
    return 0;
}

static bool events_match(const char *events_text, const char *action)
{
    json_t *arr = json_loads(events_text, 0, NULL);
    bool hit = false;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *p = json_string_value(v);
        if (p && pattern_match(p, action)) {
            hit = true;
            break;
        }
    }
    json_decref(arr);
    return hit;
}

/* ---- Deliveries. ---- */

/* Insert a pending delivery and the job that sends it. */
static int delivery_add(db_conn *c, const char *hook_id, const char *project_id, const char *event,
                        const char *origin, const char *redelivery_of, const char *payload,
                        char id[MS_ID_LEN], ms_error *err)
{
    char now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    int rc =
        db_exec(c, err,
                "INSERT INTO webhook_delivery (id, webhook_id, project_id, event, origin, "
                "redelivery_of, payload, status, attempts, created_at) VALUES (?, ?, ?, ?, ?, "
                "?, ?, 'pending', 0, ?)",
                "ssssssss", id, hook_id, project_id, event, origin, redelivery_of, payload, now);
    if (rc < 0) return rc;
    json_t *p = json_pack("{s:s}", "delivery_id", id);
    ms_job_opts o = {.max_attempts = HOOK_ATTEMPTS};
    rc = p ? jobs_enqueue(c, "production.webhook", p, &o, NULL, err)
           : ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    json_decref(p);
    return rc;
}

static char *payload_text(const char *event_id, const char *event, const char *project_id,
                          const char *actor_id, const char *object_type, const char *object_id,
                          const json_t *data)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:O?}", "id", event_id, "event", event,
                          "created_at", now, "project_id", project_id, "actor_id", actor_id,
                          "object_type", object_type, "object_id", object_id, "data", data);
    if (!o) return NULL;
    char *text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    return text;
}

int prod_webhooks_fire(ms_req *r, const prod_scope *s, const char *action, const char *object_type,
                       const char *object_id, const json_t *data)
{
    /* A webhook's own changes (webhook.*) are audit events, not production news. */
    if (!strncmp(action, "webhook.", 8)) return 0;
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT id, events FROM webhook WHERE project_id = ? AND active <> 0", "s",
                      s->project_id);
    if (rc) return rc;
    char hooks[HOOKS_PER_PROJECT][MS_ID_LEN];
    int n = 0;
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        if (n < HOOKS_PER_PROJECT && events_match(db_col_text(st, 1), action))
            ms_strlcpy(hooks[n++], db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    if (rc < 0) return rc;
    if (n == 0) return 0;
    char event_id[MS_ID_LEN], did[MS_ID_LEN];
    ms_uuid7(event_id);
    char *body = payload_text(event_id, action, s->project_id,
                              r->caller ? r->caller->user_id : NULL, object_type, object_id, data);
    if (!body) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    for (int i = 0; i < n && !rc; i++)
        rc =
            delivery_add(r->db, hooks[i], s->project_id, action, "event", NULL, body, did, &r->err);
    free(body);
    if (!rc) r->jobs_enqueued = true;
    return rc;
}

/* ---- Sending. ---- */

typedef struct sock_guard {
    bool allow_private;
    bool refused;
    char addr[INET6_ADDRSTRLEN + 16];
} sock_guard;

static curl_socket_t open_socket(void *p, curlsocktype purpose, struct curl_sockaddr *a)
{
    sock_guard *g = p;
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    char text[INET6_ADDRSTRLEN + 16];
    if (sockaddr_refused(&a->addr, text, sizeof text) && !g->allow_private) {
        g->refused = true;
        ms_strlcpy(g->addr, text, sizeof g->addr);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *p)
{
    (void)ptr;
    size_t *total = p;
    *total += size * nmemb;
    return *total > (1u << 20) ? 0 : size * nmemb; /* nobody needs more than 1 MiB of answer */
}

typedef struct attempt {
    long http_status; /* 0: no answer */
    bool refused;     /* the address is not allowed: never retried */
    char error[300];  /* "" when delivered */
    int64_t duration_ms;
} attempt;

static void hex_hmac(const char *key, const char *t, const char *body, size_t len, char out[65])
{
    crypto_auth_hmacsha256_state h;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&h, (const unsigned char *)key, strlen(key));
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)t, strlen(t));
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&h, mac);
    ms_hex_encode(mac, sizeof mac, out);
}

static void post(const ms_config *cfg, const char *url, const char *secret, const char *event,
                 const char *delivery_id, const char *body, attempt *out)
{
    pthread_once(&curl_once, curl_init_once);
    memset(out, 0, sizeof *out);
    size_t len = strlen(body);
    char t[24], mac[65], h_sig[128], h_event[160], h_id[80], ua[64];
    snprintf(t, sizeof t, "%lld", (long long)(ms_now_ms() / 1000));
    hex_hmac(secret, t, body, len, mac);
    snprintf(h_sig, sizeof h_sig, "X-Mstation-Signature: t=%s,v1=%s", t, mac);
    snprintf(h_event, sizeof h_event, "X-Mstation-Event: %s", event);
    snprintf(h_id, sizeof h_id, "X-Mstation-Delivery: %s", delivery_id);
    snprintf(ua, sizeof ua, "mstation-webhooks/%s", ms_version);
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(out->error, sizeof out->error, "cannot start libcurl");
        return;
    }
    struct curl_slist *hd = NULL, *tmp;
    const char *lines[] = {"Content-Type: application/json", h_event, h_id, h_sig, "Expect:"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if (!(tmp = curl_slist_append(hd, lines[i]))) break;
        hd = tmp;
    }
    sock_guard g = {.allow_private = cfg->webhooks_allow_private};
    size_t got = 0;
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* never a proxy from http_proxy & co. */
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, HOOK_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, HOOK_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &g);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_USERAGENT, ua);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    int64_t t0 = ms_now_ms();
    CURLcode cc = curl_easy_perform(h);
    out->duration_ms = ms_now_ms() - t0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->http_status);
    if (g.refused && out->http_status == 0) {
        out->refused = true;
        snprintf(out->error, sizeof out->error,
                 "refused to connect to %s: a loopback, private, link-local or otherwise "
                 "internal address (see webhooks_allow_private)",
                 g.addr);
    } else if (cc != CURLE_OK && out->http_status == 0) {
        snprintf(out->error, sizeof out->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
    } else if (out->http_status < 200 || out->http_status > 299) {
        snprintf(out->error, sizeof out->error, "the receiver answered HTTP %ld", out->http_status);
    }
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
}

typedef struct outcome {
    const char *delivery_id, *hook_id;
    const char *status; /* pending (retried), delivered, failed */
    const char *error;  /* NULL when delivered */
    long http_status;   /* 0: no answer */
    int64_t duration_ms;
    bool counted; /* an attempt was made (not a delivery skipped for an inactive webhook) */
    bool disable; /* a 410: turn the webhook off */
} outcome;

static int record_tx(void *p, db_conn *c, ms_error *err)
{
    const outcome *o = p;
    char now[MS_TIME_LEN], hs[24], ds[24];
    ms_now_str(now);
    snprintf(hs, sizeof hs, "%ld", o->http_status);
    snprintf(ds, sizeof ds, "%lld", (long long)o->duration_ms);
    bool done = !strcmp(o->status, "delivered");
    int rc =
        db_exec(c, err,
                "UPDATE webhook_delivery SET status = ?, attempts = attempts + ?, "
                "last_http_status = CAST(? AS INTEGER), last_error = ?, duration_ms = "
                "CAST(? AS INTEGER), last_attempt_at = COALESCE(?, last_attempt_at), "
                "delivered_at = ? WHERE id = ?",
                "sissssss", o->status, o->counted ? 1 : 0, o->http_status ? hs : NULL, o->error,
                o->counted ? ds : NULL, o->counted ? now : NULL, done ? now : NULL, o->delivery_id);
    if (rc < 0 || !o->counted) return rc < 0 ? rc : 0;
    if (o->disable)
        rc = db_exec(c, err,
                     "UPDATE webhook SET active = 0, disabled_reason = ?, last_delivery_status = "
                     "?, last_delivery_at = ? WHERE id = ?",
                     "ssss", "The receiver answered 410 Gone: the webhook was turned off.",
                     o->status, now, o->hook_id);
    else
        rc = db_exec(
            c, err,
            "UPDATE webhook SET last_delivery_status = ?, last_delivery_at = ? WHERE id = ?", "sss",
            o->status, now, o->hook_id);
    return rc < 0 ? rc : 0;
}

typedef struct target {
    char hook_id[MS_ID_LEN];
    char status[16], origin[16];
    char event[HOOK_PATTERN_MAX + 64];
    char url[HOOK_URL_MAX + 1];
    char *payload, *sealed;
    bool active;
} target;

static int target_load(db_conn *c, const char *delivery_id, target *t, ms_error *err)
{
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT d.status, d.origin, d.event, d.payload, w.id, w.url, w.active, "
                          "w.secret_sealed FROM webhook_delivery d JOIN webhook w ON w.id = "
                          "d.webhook_id WHERE d.id = ?",
                          "s", delivery_id);
    if (rc != DB_ROW) return rc;
    ms_strlcpy(t->status, db_col_text(st, 0), sizeof t->status);
    ms_strlcpy(t->origin, db_col_text(st, 1), sizeof t->origin);
    ms_strlcpy(t->event, db_col_text(st, 2), sizeof t->event);
    t->payload = strdup(db_col_text(st, 3));
    ms_strlcpy(t->hook_id, db_col_text(st, 4), sizeof t->hook_id);
    ms_strlcpy(t->url, db_col_text(st, 5), sizeof t->url);
    t->active = db_col_int(st, 6) != 0;
    t->sealed = strdup(db_col_text(st, 7));
    db_done(st);
    if (!t->payload || !t->sealed) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    return DB_ROW;
}

/* The "production.webhook" job: send one delivery (payload {"delivery_id"}). */
int prod_webhooks_job(void *ctx, db_conn *c, const ms_job *job, ms_error *err)
{
    const ms_env *env = ctx;
    const char *did = json_string_value(json_object_get(job->payload, "delivery_id"));
    if (!did || !ms_uuid_valid(did))
        return ms_fail(err, MS_EINVAL, NULL, "production.webhook needs a delivery_id");
    target t = {0};
    int rc = target_load(c, did, &t, err);
    /* Gone (the webhook was deleted) or already settled (a worker that died after recording
     * the outcome): nothing to do. */
    if (rc == DB_DONE || (rc == DB_ROW && strcmp(t.status, "pending"))) rc = 0;
    if (rc != DB_ROW) goto out;
    outcome o = {.delivery_id = did, .hook_id = t.hook_id};
    attempt a = {0};
    char *secret = NULL;
    ms_error e2;
    ms_error_clear(&e2);
    if (!t.active && !strcmp(t.origin, "event")) {
        /* Turned off after this was queued. A ping or a redelivery, which a supervisor asked
         * for by hand, still goes: that is how one tests a webhook before turning it on. */
        o.status = "failed";
        o.error = "The webhook was turned off before this delivery was sent.";
    } else if (ms_unseal(env->secret, HOOK_SEAL, t.sealed, &secret, NULL, &e2)) {
        o.status = "failed";
        o.error = "The webhook's secret cannot be opened with this server's key.";
        o.counted = true;
    } else {
        post(env->config, t.url, secret, t.event, did, t.payload, &a);
        o.counted = true;
        o.http_status = a.http_status;
        o.duration_ms = a.duration_ms;
        o.error = a.error[0] ? a.error : NULL;
        if (!a.error[0])
            o.status = "delivered";
        else if (a.http_status == 410 || a.refused || job->attempts >= job->max_attempts)
            o.status = "failed";
        else
            o.status = "pending";
        o.disable = a.http_status == 410;
    }
    if (secret) sodium_memzero(secret, strlen(secret));
    free(secret);
    /* Written now, in a transaction of its own: the queue's retry bookkeeping that follows
     * must not take it away. */
    rc = db_transact(c, DB_TX_WRITE, record_tx, &o, err);
    if (rc < 0) goto out;
    if (!strcmp(o.status, "pending")) {
        rc = ms_fail(err, MS_EIO, NULL, "%s", o.error); /* the queue retries after its backoff */
    } else if (!strcmp(o.status, "failed") && o.counted && !o.disable) {
        rc = ms_fail(err, MS_EINVAL, NULL, "%s", o.error); /* not retried: the job is dead */
    } else {
        rc = 0;
    }
    ms_log(MS_LOG_INFO, "webhook delivery",
           json_pack("{s:s,s:s,s:s,s:i,s:I,s:s?}", "delivery_id", did, "webhook_id", t.hook_id,
                     "status", o.status, "http_status", (int)o.http_status, "duration_ms",
                     (json_int_t)o.duration_ms, "error", o.error));
out:
    free(t.payload);
    free(t.sealed);
    return rc;
}

/* ---- The API: supervisors only. ---- */

static void hook_fix(ms_req *r, json_t *o)
{
    (void)r;
    json_object_set_new(o, "active",
                        json_boolean(json_integer_value(json_object_get(o, "active"))));
}

static int hook_reply(ms_req *r, int status, const char *id, const char *secret)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, "SELECT " HOOK_COLS " FROM webhook w WHERE w.id = ?",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such webhook.");
    json_t *o = db_row_json(st);
    db_done(st);
    hook_fix(r, o);
    if (secret) json_object_set_new(o, "secret", json_string(secret));
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, status, o);
}

static int hook_scope(ms_req *r, const char *id, prod_scope *s)
{
    int rc = prod_scope_of(r, "SELECT project_id FROM webhook WHERE id = ?", id, "webhook", s);
    return rc ? rc : prod_require(r, s, PROD_SUPERVISOR, "manage webhooks");
}

int h_webhooks_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    int limit;
    char cursor[MS_ID_LEN + 1];
    prod_scope s;
    int rc = prod_list_begin(r, allowed, &limit, cursor, &s);
    if (rc || (rc = prod_require(r, &s, PROD_SUPERVISOR, "manage webhooks"))) return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT " HOOK_COLS " FROM webhook w WHERE w.project_id = ? AND w.id > ? "
                  "ORDER BY w.id LIMIT ?",
                  "ssI", s.project_id, cursor, (int64_t)limit + 1);
    return rc ? rc : auth_reply_page(r, st, limit, "id", hook_fix);
}

static const ms_jfield hook_create_fields[] = {
    {"url", MS_J_STRING, true, false, 1, HOOK_URL_MAX, NULL},
    {"events", MS_J_ARRAY, false, false, 1, HOOK_PATTERNS_MAX, NULL},
    {"active", MS_J_BOOL, false, false, 0, 0, NULL},
    {0},
};

static const ms_jfield hook_update_fields[] = {
    {"url", MS_J_STRING, false, false, 1, HOOK_URL_MAX, NULL},
    {"events", MS_J_ARRAY, false, false, 1, HOOK_PATTERNS_MAX, NULL},
    {"active", MS_J_BOOL, false, false, 0, 0, NULL},
    {0},
};

/* The checks both create and update make; `events_out` gets the patterns as JSON text. */
static int hook_body_check(ms_req *r, char **events_out)
{
    const json_t *b = r->body;
    const char *url = ms_json_str(b, "url");
    if (url) url_check(&r->err, url, r->env->config->webhooks_allow_private, "url");
    const json_t *ev = json_object_get(b, "events");
    if (ev) events_check(&r->err, ev, "events");
    if (r->err.code) return r->err.code;
    *events_out = NULL;
    if (ev) {
        char *text = json_dumps(ev, JSON_COMPACT);
        *events_out = text ? ms_arena_printf(r->arena, "%s", text) : NULL;
        free(text);
        if (!*events_out) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    return 0;
}

int h_webhooks_create(ms_req *r)
{
    if (ms_json_check(r->body, hook_create_fields, &r->err)) return r->err.code;
    prod_scope s;
    int rc = prod_scope_get(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = prod_require(r, &s, PROD_SUPERVISOR, "manage webhooks"))) return rc;
    char *events;
    if ((rc = hook_body_check(r, &events))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT COUNT(*) FROM webhook WHERE project_id = ?", "s",
                      s.project_id);
    if (rc < 0) return rc;
    int64_t count = db_col_int(st, 0);
    db_done(st);
    if (count >= HOOKS_PER_PROJECT)
        return ms_field_fail(&r->err, "url", "this project has %d webhooks, the most it may have",
                             HOOKS_PER_PROJECT);
    /* The secret: 32 random bytes, shown once; sealed so that only this server reads it. */
    unsigned char raw[32];
    char secret[sizeof HOOK_SECRET_PFX + 64], *sealed = NULL;
    ms_random_bytes(raw, sizeof raw);
    memcpy(secret, HOOK_SECRET_PFX, sizeof HOOK_SECRET_PFX - 1);
    ms_hex_encode(raw, sizeof raw, secret + sizeof HOOK_SECRET_PFX - 1);
    sodium_memzero(raw, sizeof raw);
    if ((rc = ms_seal(r->env->secret, HOOK_SEAL, secret, strlen(secret), &sealed, &r->err)))
        return rc;
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    const char *url = ms_json_str(r->body, "url");
    rc = db_exec(
        r->db, &r->err,
        "INSERT INTO webhook (id, project_id, url, events, active, secret_sealed, "
        "created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        "ssssissss", id, s.project_id, url, events ? events : "[\"*\"]",
        ms_json_bool(r->body, "active", true) ? 1 : 0, sealed, s.user_id, now, now);
    free(sealed);
    if (rc < 0) return rc;
    /* Not the URL: the activity feed reaches every member, and many receivers' URLs are
     * secrets themselves (chat incoming-webhook URLs). */
    if ((rc = prod_event(r, &s, "webhook.created", "webhook", id, NULL, "webhook created")))
        return rc;
    rc = hook_reply(r, 201, id, secret);
    sodium_memzero(secret, sizeof secret);
    return rc;
}

int h_webhook_get(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = hook_scope(r, id, &s);
    return rc ? rc : hook_reply(r, 200, id, NULL);
}

/* If-Match against the webhook's version (the scope check found it). */
static int hook_check_version(ms_req *r, const char *id)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, "SELECT version FROM webhook WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0);
    db_done(st);
    return ms_req_check_version(r, ver);
}

int h_webhook_update(ms_req *r)
{
    if (ms_json_check(r->body, hook_update_fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = hook_scope(r, id, &s);
    if (rc) return rc;
    if ((rc = hook_check_version(r, id))) return rc;
    char *events;
    if ((rc = hook_body_check(r, &events))) return rc;
    const json_t *b = r->body;
    const json_t *active = json_object_get(b, "active");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    /* Turning a webhook on clears the reason the server turned it off. */
    rc = db_exec(r->db, &r->err,
                 "UPDATE webhook SET url = COALESCE(?, url), events = COALESCE(?, events), "
                 "active = CASE WHEN ? = 1 THEN 1 WHEN ? = 0 THEN 0 ELSE active END, "
                 "disabled_reason = CASE WHEN ? = 1 THEN NULL ELSE disabled_reason END, "
                 "updated_at = ?, version = version + 1 WHERE id = ?",
                 "ssiiiss", ms_json_str(b, "url"), events, active ? json_is_true(active) : -1,
                 active ? json_is_true(active) : -1, active ? json_is_true(active) : -1, now, id);
    if (rc < 0) return rc;
    if ((rc = prod_event(r, &s, "webhook.updated", "webhook", id, NULL, "webhook updated")))
        return rc;
    return hook_reply(r, 200, id, NULL);
}

int h_webhook_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = hook_scope(r, id, &s);
    if (rc) return rc;
    if ((rc = hook_check_version(r, id))) return rc;
    /* Queued jobs of its deliveries find nothing and end. */
    if ((rc = db_exec(r->db, &r->err, "DELETE FROM webhook_delivery WHERE webhook_id = ?", "s",
                      id)) < 0 ||
        (rc = db_exec(r->db, &r->err, "DELETE FROM webhook WHERE id = ?", "s", id)) < 0)
        return rc;
    if ((rc = prod_event(r, &s, "webhook.deleted", "webhook", id, NULL, "webhook deleted")))
        return rc;
    return ms_reply_empty(r);
}

static int delivery_reply(ms_req *r, const char *id)
{
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err,
                     "SELECT " DELIVERY_COLS " FROM webhook_delivery d WHERE d.id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_EINTERNAL, NULL, "the new delivery is gone");
    json_t *o = db_row_json(st);
    db_done(st);
    return ms_reply(r, 201, o);
}

int h_webhook_ping(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = hook_scope(r, id, &s);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT url, events FROM webhook WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    json_t *data = json_pack("{s:{s:s,s:s,s:o?}}", "webhook", "id", id, "url", db_col_text(st, 0),
                             "events", json_loads(db_col_text(st, 1), 0, NULL));
    db_done(st);
    char event_id[MS_ID_LEN], did[MS_ID_LEN];
    ms_uuid7(event_id);
    char *body =
        data ? payload_text(event_id, "ping", s.project_id, s.user_id, "webhook", id, data) : NULL;
    json_decref(data);
    if (!body) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    rc = delivery_add(r->db, id, s.project_id, "ping", "ping", NULL, body, did, &r->err);
    free(body);
    if (rc) return rc;
    r->jobs_enqueued = true;
    if ((rc = prod_event(r, &s, "webhook.pinged", "webhook", id, NULL, "webhook pinged")))
        return rc;
    return delivery_reply(r, did);
}

int h_webhook_deliveries(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "status", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *status = ms_req_query(r, "status");
    if (status && strcmp(status, "pending") && strcmp(status, "delivered") &&
        strcmp(status, "failed"))
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "status must be pending, delivered or failed.");
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    if ((rc = hook_scope(r, id, &s))) return rc;
    /* Newest first: the cursor is the last id seen, and the next page lies below it. */
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT " DELIVERY_COLS " FROM webhook_delivery d WHERE d.webhook_id = ? AND "
                  "(? = '' OR d.id < ?) AND (? = '' OR d.status = ?) ORDER BY d.id DESC LIMIT ?",
                  "sssssI", id, cursor, cursor, status ? status : "", status ? status : "",
                  (int64_t)limit + 1);
    return rc ? rc : auth_reply_page(r, st, limit, "id", NULL);
}

int h_webhook_redeliver(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = prod_scope_of(r, "SELECT project_id FROM webhook_delivery WHERE id = ?", id,
                           "delivery", &s);
    if (rc || (rc = prod_require(r, &s, PROD_SUPERVISOR, "manage webhooks"))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT webhook_id, event, payload FROM webhook_delivery WHERE id = ?", "s",
                      id);
    if (rc < 0) return rc;
    char hook[MS_ID_LEN], event[HOOK_PATTERN_MAX + 64], did[MS_ID_LEN];
    ms_strlcpy(hook, db_col_text(st, 0), sizeof hook);
    ms_strlcpy(event, db_col_text(st, 1), sizeof event);
    char *payload = ms_arena_printf(r->arena, "%s", db_col_text(st, 2));
    db_done(st);
    if (!payload) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    /* The same body (so the same event id, for receivers that deduplicate on it), a new
     * delivery id. */
    rc = delivery_add(r->db, hook, s.project_id, event, "redelivery", id, payload, did, &r->err);
    if (rc) return rc;
    r->jobs_enqueued = true;
    if ((rc = prod_event(r, &s, "webhook.redelivered", "webhook", hook, NULL,
                         "webhook delivery repeated")))
        return rc;
    return delivery_reply(r, did);
}
