/* router.h: matching a method and path to a route of the tables the modules contribute.
 *
 * Patterns are slash-separated segments, each a literal or a {name} parameter. When several
 * routes match a path, the one with literals further left wins ("/sessions/current" beats
 * "/sessions/{id}"). A path that matches only under other methods is a 405 with Allow. The
 * router is built once at start and is read-only afterwards, so matching takes no lock. */
#ifndef MS_ROUTER_H
#define MS_ROUTER_H

#include "core/api.h"
#include "core/error.h"

#define ROUTER_SEGMENTS_MAX 16

typedef struct ms_router ms_router;

typedef struct route_match {
    const ms_route *route;
    int index; /* position in the combined table, for metrics */
    int nparams;
    const char *names[MS_ROUTE_PARAMS_MAX];
    char *values[MS_ROUTE_PARAMS_MAX]; /* point into the caller's scratch copy of the path */
    char allow[64];                    /* 405: the methods that would match */
} route_match;

/* Combine NULL-terminated route tables (each ends with a {NULL} row). Fails on malformed or
 * duplicate patterns. */
int router_build(const ms_route *const *tables, ms_router **out, ms_error *err);
void router_free(ms_router *r);
int router_count(const ms_router *r);
const ms_route *router_at(const ms_router *r, int i);

/* 0: matched; MS_ENOTFOUND: no route has this path; MS_EBADREQ with m->allow set: the path
 * exists for other methods. `scratch` (>= strlen(path) + 1 bytes) receives the parameters. */
int router_match(const ms_router *r, const char *method, const char *path, char *scratch,
                 size_t scratch_len, route_match *m);

#endif
