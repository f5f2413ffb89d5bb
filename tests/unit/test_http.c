/* test_http.c: unit tests of src/http: the router, the OpenAPI document against the route
 * tables (every route described, nothing described that does not exist), and a real server
 * in-process: streamed request bodies of any size, early rejection of oversized bodies before
 * they are sent, and graceful shutdown with a request in flight. */
#include "unit.h"

#include "app/app.h"
#include "auth/auth.h"
#include "core/time.h"
#include "http/router.h"
#include "http/server.h"

#include <curl/curl.h>
#include <pthread.h>
#include <unistd.h>

static int h_ok(ms_req *r)
{
    return ms_reply(r, 200, json_pack("{s:s}", "route", r->route->pattern));
}

static const ms_route table_a[] = {
    {"GET", "/api/v1/sessions/{id}", h_ok, PERM_PUBLIC, 0, NULL},
    {"DELETE", "/api/v1/sessions/current", h_ok, PERM_PUBLIC, 0, NULL},
    {"DELETE", "/api/v1/sessions/{id}", h_ok, PERM_PUBLIC, 0, NULL},
    {"GET", "/api/v1/projects/{id}/members/{user_id}", h_ok, PERM_PUBLIC, 0, NULL},
    {"GET", "/api/v1/orgs", h_ok, PERM_PUBLIC, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL},
};

static void test_router(void **state)
{
    (void)state;
    const ms_route *tables[] = {table_a, NULL};
    ms_router *r;
    ms_error e;
    assert_int_equal(router_build(tables, &r, &e), 0);
    char scratch[256];
    route_match m;
    assert_int_equal(
        router_match(r, "DELETE", "/api/v1/sessions/current", scratch, sizeof scratch, &m), 0);
    assert_string_equal(m.route->pattern, "/api/v1/sessions/current"); /* literal wins */
    assert_int_equal(router_match(r, "DELETE", "/api/v1/sessions/abc", scratch, sizeof scratch, &m),
                     0);
    assert_string_equal(m.route->pattern, "/api/v1/sessions/{id}");
    assert_string_equal(m.values[0], "abc");
    assert_int_equal(
        router_match(r, "GET", "/api/v1/projects/p1/members/u2", scratch, sizeof scratch, &m), 0);
    assert_int_equal(m.nparams, 2);
    assert_string_equal(m.names[1], "user_id");
    assert_string_equal(m.values[0], "p1");
    assert_string_equal(m.values[1], "u2");
    assert_int_equal(router_match(r, "HEAD", "/api/v1/orgs", scratch, sizeof scratch, &m), 0);
    assert_int_equal(router_match(r, "POST", "/api/v1/orgs", scratch, sizeof scratch, &m),
                     MS_EBADREQ);
    assert_string_equal(m.allow, "GET");
    assert_int_equal(router_match(r, "GET", "/api/v1/orgs/", scratch, sizeof scratch, &m),
                     MS_ENOTFOUND);
    assert_int_equal(router_match(r, "GET", "/api/v1/sessions/", scratch, sizeof scratch, &m),
                     MS_ENOTFOUND);
    assert_int_equal(router_match(r, "GET", "/api/v1//orgs", scratch, sizeof scratch, &m),
                     MS_ENOTFOUND);
    assert_int_equal(router_match(r, "GET", "relative", scratch, sizeof scratch, &m), MS_ENOTFOUND);
    router_free(r);
    /* Duplicates are refused at start, not discovered in production. */
    const ms_route dup[] = {{"GET", "/a", h_ok, 0, 0, NULL}, {"GET", "/a", h_ok, 0, 0, NULL}, {0}};
    const ms_route *t2[] = {dup, NULL};
    assert_int_equal(router_build(t2, &r, &e), MS_EINTERNAL);
    assert_non_null(strstr(e.detail, "duplicate"));
}

static void test_openapi_complete(void **state)
{
    (void)state;
    json_t *doc;
    ms_error e;
    assert_int_equal(openapi_build(app_openapi, &doc, &e), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    json_t *paths = json_object_get(doc, "paths");
    const ms_route *tables[16];
    assert_true(server_route_tables(app_routes, tables, 16));
    int routes = 0, missing = 0;
    for (int i = 0; tables[i]; i++) {
        for (const ms_route *r = tables[i]; r->method; r++) {
            routes++;
            char method[16];
            snprintf(method, sizeof method, "%s", r->method);
            for (char *p = method; *p; p++)
                *p = (char)(*p - 'A' + 'a');
            json_t *op = json_object_get(json_object_get(paths, r->pattern), method);
            if (!op) {
                print_error("route %s %s is not in the OpenAPI document\n", r->method, r->pattern);
                missing++;
                continue;
            }
            if (!json_object_get(op, "operationId") || !json_object_get(op, "responses")) {
                print_error("route %s %s has no operationId or responses\n", r->method, r->pattern);
                missing++;
            }
        }
    }
    assert_int_equal(missing, 0);
    /* Nothing documented that the server does not route. */
    const char *path;
    json_t *item;
    int documented = 0;
    json_object_foreach(paths, path, item)
    {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op)
        {
            documented++;
            bool found = false;
            for (int i = 0; tables[i] && !found; i++)
                for (const ms_route *r = tables[i]; r->method && !found; r++)
                    found = !strcmp(r->pattern, path) && !strcasecmp(r->method, method);
            if (!found) print_error("documented %s %s is not routed\n", method, path);
            assert_true(found);
        }
    }
    assert_int_equal(documented, routes);
    /* Every $ref resolves. */
    char *text = json_dumps(doc, 0);
    for (char *p = strstr(text, "\"#/components/"); p; p = strstr(p + 1, "\"#/components/")) {
        char sect[64], name[64];
        assert_int_equal(sscanf(p, "\"#/components/%63[^/]/%63[^\"]", sect, name), 2);
        assert_non_null(
            json_object_get(json_object_get(json_object_get(doc, "components"), sect), name));
    }
    free(text);
    json_decref(doc);
}

/* ---- A real server in this process. ---- */

typedef struct upload {
    uint64_t bytes, sum, pieces, largest;
} upload;

static int on_body(ms_req *r, const char *data, size_t n)
{
    upload *u = r->module_state;
    if (!u) u = r->module_state = ms_arena_alloc(r->arena, sizeof *u);
    for (size_t i = 0; i < n; i++)
        u->sum = u->sum * 31 + (unsigned char)data[i];
    u->bytes += n;
    u->pieces++;
    if (n > u->largest) u->largest = n;
    return 0;
}

static int h_upload(ms_req *r)
{
    upload *u = r->module_state;
    upload zero = {0};
    if (!u) u = &zero;
    return ms_reply(r, 200,
                    json_pack("{s:I,s:I,s:I,s:I}", "bytes", (json_int_t)u->bytes, "sum",
                              (json_int_t)(u->sum & 0x7fffffffffffffffULL), "pieces",
                              (json_int_t)u->pieces, "largest", (json_int_t)u->largest));
}

static int h_slow(ms_req *r)
{
    usleep(400000);
    return ms_reply(r, 200, json_pack("{s:b}", "finished", 1));
}

static int h_echo(ms_req *r)
{
    return ms_reply(r, 200, json_incref(r->body));
}

static const ms_route test_routes[] = {
    {"PUT", "/t/upload", h_upload, PERM_PUBLIC, MS_ROUTE_STREAM, on_body},
    {"PUT", "/t/private-upload", h_upload, PERM_USER, MS_ROUTE_STREAM, on_body},
    {"GET", "/t/slow", h_slow, PERM_PUBLIC, 0, NULL},
    {"POST", "/t/echo", h_echo, PERM_PUBLIC, MS_ROUTE_JSON | MS_ROUTE_NO_TX, NULL},
    {NULL, NULL, NULL, 0, 0, NULL},
};
static const ms_route *const test_tables[] = {test_routes, NULL};

typedef struct srv_fx {
    char *dir;
    ms_config cfg;
    db *d;
    ms_server *s;
    char base[64];
} srv_fx;

static int srv_setup(void **state)
{
    srv_fx *f = calloc(1, sizeof *f);
    f->dir = unit_tmpdir();
    ms_config_defaults(&f->cfg);
    snprintf(f->cfg.data, sizeof f->cfg.data, "%s", f->dir);
    snprintf(f->cfg.listen, sizeof f->cfg.listen, "127.0.0.1:0");
    f->cfg.threads = 2;
    f->cfg.workers = 0;
    f->cfg.access_log = false;
    f->cfg.max_body = 4096;
    f->cfg.shutdown_timeout = 5;
    ms_config_finish(&f->cfg);
    ms_error e;
    if (app_store_open(&f->cfg, 4, &f->d, &e)) return -1;
    unsigned char secret[32] = {1};
    ms_server_opts o = {.config = &f->cfg,
                        .db = f->d,
                        .secret = secret,
                        .route_tables = test_tables,
                        .openapi_fragments = app_openapi};
    if (server_start(&o, &f->s, &e)) {
        fprintf(stderr, "%s\n", e.detail);
        return -1;
    }
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%u", server_port(f->s));
    *state = f;
    return 0;
}

static int srv_teardown(void **state)
{
    srv_fx *f = *state;
    if (f->s) server_stop(f->s);
    db_close(f->d);
    unit_rmdir(f->dir);
    free(f);
    return 0;
}

typedef struct gen {
    uint64_t total, sent;
} gen;

static size_t gen_read(char *buf, size_t size, size_t nmemb, void *arg)
{
    gen *g = arg;
    size_t n = size * nmemb;
    if (n > g->total - g->sent) n = (size_t)(g->total - g->sent);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)((g->sent + i) * 2654435761u >> 13);
    g->sent += n;
    return n;
}

typedef struct resp {
    char body[4096];
    size_t len;
} resp;

static size_t collect(char *p, size_t size, size_t nmemb, void *arg)
{
    resp *r = arg;
    size_t n = size * nmemb;
    if (r->len + n < sizeof r->body) {
        memcpy(r->body + r->len, p, n);
        r->len += n;
        r->body[r->len] = 0;
    }
    return n;
}

static long put_stream(srv_fx *f, const char *path, uint64_t total, bool chunked, gen *g, resp *out)
{
    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "%s%s", f->base, path);
    struct curl_slist *h = NULL;
    if (chunked) h = curl_slist_append(h, "Transfer-Encoding: chunked");
    g->total = total;
    g->sent = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, gen_read);
    curl_easy_setopt(c, CURLOPT_READDATA, g);
    if (!chunked) curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)total);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

static uint64_t expected_sum(uint64_t total)
{
    uint64_t s = 0;
    for (uint64_t i = 0; i < total; i++)
        s = s * 31 + (unsigned char)(char)(i * 2654435761u >> 13);
    return s & 0x7fffffffffffffffULL;
}

static void test_streamed_bodies(void **state)
{
    srv_fx *f = *state;
    const uint64_t total = 48ull << 20; /* far above max_body (4 KiB): never buffered */
    uint64_t want = expected_sum(total);
    for (int chunked = 0; chunked < 2; chunked++) {
        gen g;
        resp r = {{0}, 0};
        assert_int_equal(put_stream(f, "/t/upload", total, chunked, &g, &r), 200);
        json_t *j = json_loads(r.body, 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "bytes")), (json_int_t)total);
        assert_int_equal(json_integer_value(json_object_get(j, "sum")), (json_int_t)want);
        /* It arrived in many pieces, each small: the server held none of it whole. */
        assert_true(json_integer_value(json_object_get(j, "pieces")) > 100);
        assert_true(json_integer_value(json_object_get(j, "largest")) <= 1 << 20);
        json_decref(j);
    }
}

static void test_rejections_before_the_body(void **state)
{
    srv_fx *f = *state;
    /* An upload that needs a signed-in caller is refused before the body is sent. */
    gen g;
    resp r = {{0}, 0};
    assert_int_equal(put_stream(f, "/t/private-upload", 256ull << 20, false, &g, &r), 401);
    assert_true(g.sent < (8u << 20));
    assert_non_null(strstr(r.body, "urn:mstation:problem:authentication-required"));
    /* A JSON body declared too large: 413 at once. */
    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "%s/t/echo", f->base);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    gen g2 = {1ull << 30, 0};
    resp r2 = {{0}, 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)g2.total);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, gen_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &g2);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r2);
    long status = 0;
    curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    assert_int_equal(status, 413);
    assert_true(g2.sent < (8u << 20));
    assert_non_null(strstr(r2.body, "body-too-large"));
    /* Chunked JSON over the limit: read, discarded, 413 (no Content-Length to check first). */
    gen g3;
    resp r3 = {{0}, 0};
    c = curl_easy_init();
    h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Transfer-Encoding: chunked");
    g3.total = 100000;
    g3.sent = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, gen_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &g3);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r3);
    curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    assert_int_equal(status, 413);
}

typedef struct slow_arg {
    const char *base;
    long status;
    resp r;
} slow_arg;

static void *slow_request(void *p)
{
    slow_arg *a = p;
    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "%s/t/slow", a->base);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a->r);
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_easy_cleanup(c);
    return NULL;
}

static void test_graceful_stop(void **state)
{
    srv_fx *f = *state;
    slow_arg a = {f->base, 0, {{0}, 0}};
    pthread_t t;
    pthread_create(&t, NULL, slow_request, &a);
    usleep(150000); /* the request is now inside the handler */
    uint64_t t0 = ms_mono_ns();
    server_stop(f->s);
    f->s = NULL;
    pthread_join(t, NULL);
    assert_int_equal(a.status, 200); /* finished, not cut off */
    assert_non_null(strstr(a.r.body, "finished"));
    assert_true(ms_mono_ns() - t0 < 3000000000ull);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
#define S(fn) cmocka_unit_test_setup_teardown(fn, srv_setup, srv_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router), cmocka_unit_test(test_openapi_complete),
        S(test_streamed_bodies),       S(test_rejections_before_the_body),
        S(test_graceful_stop),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
