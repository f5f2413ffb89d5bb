/* router.c: see router.h. Routes are compiled into segment arrays; matching splits the
 * path once and compares it with each route of the same segment count. With tens of routes
 * a linear scan costs well under a microsecond; the bench measures it as part of every
 * request. */
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct compiled {
    const ms_route *route;
    int nseg;
    const char *seg[ROUTER_SEGMENTS_MAX]; /* literal, or NULL for a parameter */
    size_t seglen[ROUTER_SEGMENTS_MAX];
    char *names[ROUTER_SEGMENTS_MAX]; /* parameter names (owned) */
    unsigned literal_mask;            /* bit i set: segment i is literal */
} compiled;

struct ms_router {
    compiled *routes;
    int n;
};

static void free_compiled(compiled *c)
{
    for (int i = 0; i < c->nseg; i++)
        free(c->names[i]);
}

static int compile(const ms_route *rt, compiled *c, ms_error *err)
{
    memset(c, 0, sizeof *c);
    c->route = rt;
    const char *p = rt->pattern;
    if (!p || p[0] != '/')
        return ms_fail(err, MS_EINTERNAL, NULL, "route pattern must start with /");
    int params = 0;
    while (*p) {
        p++; /* skip '/' */
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (c->nseg == ROUTER_SEGMENTS_MAX)
            return ms_fail(err, MS_EINTERNAL, NULL, "route %s has too many segments", rt->pattern);
        if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
            if (params == MS_ROUTE_PARAMS_MAX)
                return ms_fail(err, MS_EINTERNAL, NULL, "route %s has too many parameters",
                               rt->pattern);
            c->names[c->nseg] = strndup(p + 1, len - 2);
            c->seg[c->nseg] = NULL;
            params++;
        } else {
            if (len == 0 && e)
                return ms_fail(err, MS_EINTERNAL, NULL, "route %s has an empty segment",
                               rt->pattern);
            c->seg[c->nseg] = p;
            c->seglen[c->nseg] = len;
            c->literal_mask |= 1u << (ROUTER_SEGMENTS_MAX - 1 - c->nseg);
        }
        c->nseg++;
        p += len;
    }
    return 0;
}

int router_build(const ms_route *const *tables, ms_router **out, ms_error *err)
{
    int n = 0;
    for (const ms_route *const *t = tables; *t; t++)
        for (const ms_route *r = *t; r->method; r++)
            n++;
    ms_router *rt = calloc(1, sizeof *rt);
    if (!rt) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    rt->routes = calloc((size_t)(n ? n : 1), sizeof *rt->routes);
    if (!rt->routes) {
        free(rt);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    for (const ms_route *const *t = tables; *t; t++) {
        for (const ms_route *r = *t; r->method; r++) {
            int rc = compile(r, &rt->routes[rt->n], err);
            rt->n++;
            if (rc) {
                router_free(rt);
                return rc;
            }
            for (int i = 0; i < rt->n - 1; i++) {
                const ms_route *o = rt->routes[i].route;
                if (!strcmp(o->method, r->method) && !strcmp(o->pattern, r->pattern)) {
                    router_free(rt);
                    return ms_fail(err, MS_EINTERNAL, NULL, "duplicate route %s %s", r->method,
                                   r->pattern);
                }
            }
        }
    }
    *out = rt;
    return 0;
}

void router_free(ms_router *r)
{
    if (!r) return;
    for (int i = 0; i < r->n; i++)
        free_compiled(&r->routes[i]);
    free(r->routes);
    free(r);
}

int router_count(const ms_router *r)
{
    return r->n;
}

const ms_route *router_at(const ms_router *r, int i)
{
    return r->routes[i].route;
}

int router_match(const ms_router *r, const char *method, const char *path, char *scratch,
                 size_t scratch_len, route_match *m)
{
    memset(m, 0, sizeof *m);
    size_t plen = strlen(path);
    if (path[0] != '/' || plen + 1 > scratch_len) return MS_ENOTFOUND;
    memcpy(scratch, path, plen + 1);
    /* Split into segments in place. A trailing slash is its own (empty) segment, so
     * "/api/v1/orgs/" does not match "/api/v1/orgs". */
    char *seg[ROUTER_SEGMENTS_MAX];
    size_t seglen[ROUTER_SEGMENTS_MAX];
    int nseg = 0;
    char *p = scratch;
    while (*p) {
        if (nseg == ROUTER_SEGMENTS_MAX) return MS_ENOTFOUND;
        *p++ = '\0';
        seg[nseg] = p;
        char *e = strchr(p, '/');
        seglen[nseg] = e ? (size_t)(e - p) : strlen(p);
        nseg++;
        p += seglen[nseg - 1];
    }
    int best = -1;
    unsigned best_mask = 0;
    size_t allow_len = 0;
    for (int i = 0; i < r->n; i++) {
        const compiled *c = &r->routes[i];
        if (c->nseg != nseg) continue;
        bool ok = true;
        for (int s = 0; s < nseg && ok; s++) {
            if (c->seg[s])
                ok = seglen[s] == c->seglen[s] && !memcmp(seg[s], c->seg[s], seglen[s]);
            else
                ok = seglen[s] > 0;
        }
        if (!ok) continue;
        if (strcmp(c->route->method, method) != 0) {
            /* Remember for Allow (HEAD is answered by GET routes). */
            if (!strcmp(method, "HEAD") && !strcmp(c->route->method, "GET")) {
                /* fall through to matching below as a GET */
            } else {
                const char *mm = c->route->method;
                if (!strstr(m->allow, mm) && allow_len + strlen(mm) + 3 < sizeof m->allow) {
                    allow_len += (size_t)snprintf(m->allow + allow_len, sizeof m->allow - allow_len,
                                                  "%s%s", allow_len ? ", " : "", mm);
                }
                continue;
            }
        }
        if (best < 0 || c->literal_mask > best_mask) {
            best = i;
            best_mask = c->literal_mask;
        }
    }
    if (best < 0) return m->allow[0] ? MS_EBADREQ : MS_ENOTFOUND;
    const compiled *c = &r->routes[best];
    m->route = c->route;
    m->index = best;
    for (int s = 0; s < nseg; s++) {
        if (c->seg[s]) continue;
        seg[s][seglen[s]] = '\0';
        m->names[m->nparams] = c->names[s];
        m->values[m->nparams] = seg[s];
        m->nparams++;
    }
    return 0;
}
