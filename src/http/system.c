/* system.c: the server's own routes: liveness, readiness, metrics and the API description.
 *
 * /healthz  the process answers (200 as long as it is up)
 * /readyz   it can serve: the database answers and the server is not shutting down (503)
 * /metrics  Prometheus text format
 * /api/v1/openapi.json  the merged OpenAPI 3.1 document of every module */
#include "http/http_internal.h"

#include "auth/auth.h"
#include "core/json.h"
#include "core/version.h"
#include "core/log.h"

#include <string.h>

static ms_server *server_of(ms_req *r)
{
    /* ms_env is the first member of ms_server (http_internal.h). */
    return (ms_server *)(void *)r->env;
}

static int h_healthz(ms_req *r)
{
    return ms_reply(r, 200, json_pack("{s:s}", "status", "ok"));
}

static int h_readyz(ms_req *r)
{
    ms_server *s = server_of(r);
    if (atomic_load(&s->draining))
        return ms_req_fail(r, MS_EBUSY, "shutting-down", "The server is shutting down.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, "SELECT COUNT(*) FROM schema_migration", "");
    if (rc < 0)
        return ms_req_fail(r, MS_EBUSY, "database-unavailable", "The database does not answer: %s",
                           r->err.detail);
    int64_t migrations = rc == DB_ROW ? db_col_int(st, 0) : 0;
    if (rc == DB_ROW) db_done(st);
    return ms_reply(r, 200,
                    json_pack("{s:s,s:s,s:I}", "status", "ready", "database", db_engine(s->env.db),
                              "migrations", (json_int_t)migrations));
}

static const char *route_method(void *arg, int i)
{
    ms_server *s = arg;
    int n = router_count(s->router);
    return i < n ? router_at(s->router, i)->method : i == n ? "GET" : "*";
}

static const char *route_pattern(void *arg, int i)
{
    ms_server *s = arg;
    int n = router_count(s->router);
    return i < n ? router_at(s->router, i)->pattern : i == n ? "(static)" : "(unmatched)";
}

static int h_metrics(ms_req *r)
{
    ms_server *s = server_of(r);
    db_stats dbs;
    db_get_stats(s->env.db, &dbs);
    metrics_render(s->metrics, &r->out, route_method, route_pattern, s, &dbs,
                   atomic_load(&s->inflight));
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err, "SELECT state, COUNT(*) FROM job GROUP BY state", "");
    if (rc == 0) {
        ms_buf_puts(&r->out, "# HELP mstation_jobs Jobs in the queue by state.\n"
                             "# TYPE mstation_jobs gauge\n");
        while (db_step(st, &r->err) == DB_ROW)
            ms_buf_printf(&r->out, "mstation_jobs{state=\"%s\"} %lld\n", db_col_text(st, 0),
                          (long long)db_col_int(st, 1));
        db_done(st);
    }
    if (r->out.oom) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    r->out_type = "text/plain; version=0.0.4; charset=utf-8";
    r->status = 200;
    return 0;
}

static int h_openapi(ms_req *r)
{
    ms_server *s = server_of(r);
    ms_buf_append(&r->out, s->openapi_text, s->openapi_len);
    r->out_type = "application/json";
    r->status = 200;
    return 0;
}

const ms_route http_system_routes[] = {
    {"GET", "/healthz", h_healthz, PERM_PUBLIC, MS_ROUTE_RAW, NULL},
    {"GET", "/readyz", h_readyz, PERM_PUBLIC, MS_ROUTE_RAW, NULL},
    {"GET", "/metrics", h_metrics, PERM_PUBLIC, MS_ROUTE_RAW, NULL},
    {"GET", "/api/v1/openapi.json", h_openapi, PERM_PUBLIC, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL},
};

/* Merge: the base document, then each fragment's paths and components (schemas, parameters,
 * responses). A path or component defined twice is an error, not a silent override. */
int openapi_build(const char *const *fragments, json_t **out, ms_error *err)
{
    json_error_t je;
    json_t *doc = json_loads(ms_openapi_base, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        return ms_fail(err, MS_EINTERNAL, "openapi", "http/openapi.json: %s (line %d)", je.text,
                       je.line);
    for (const char *const *f = fragments; f && *f; f++) {
        json_t *frag = json_loads(*f, JSON_REJECT_DUPLICATES, &je);
        if (!frag) {
            json_decref(doc);
            return ms_fail(err, MS_EINTERNAL, "openapi", "module openapi.json: %s (line %d)",
                           je.text, je.line);
        }
        const char *key;
        json_t *v;
        json_t *paths = json_object_get(doc, "paths");
        json_object_foreach(json_object_get(frag, "paths"), key, v)
        {
            if (json_object_get(paths, key)) {
                json_decref(frag);
                json_decref(doc);
                return ms_fail(err, MS_EINTERNAL, "openapi", "path %s is described twice", key);
            }
            json_object_set(paths, key, v);
        }
        const char *section;
        json_t *items;
        json_object_foreach(json_object_get(frag, "components"), section, items)
        {
            json_t *dst = json_object_get(json_object_get(doc, "components"), section);
            if (!dst) {
                dst = json_object();
                json_object_set_new(json_object_get(doc, "components"), section, dst);
            }
            json_object_foreach(items, key, v)
            {
                if (json_object_get(dst, key)) {
                    json_decref(frag);
                    json_decref(doc);
                    return ms_fail(err, MS_EINTERNAL, "openapi", "component %s/%s twice", section,
                                   key);
                }
                json_object_set(dst, key, v);
            }
        }
        json_decref(frag);
    }
    json_object_set_new(json_object_get(doc, "info"), "version", json_string(ms_version));
    *out = doc;
    return 0;
}
