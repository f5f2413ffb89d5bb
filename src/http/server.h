/* server.h: the mstation HTTP server (libmicrohttpd) and the job workers it owns.
 *
 * server_start binds the listening socket, builds the router from the route tables it is
 * given, starts the HTTP thread pool (epoll) and the job workers, and returns. server_stop
 * shuts down gracefully: stop accepting, let in-flight requests finish (up to
 * shutdown_timeout), stop the workers after their current job. The caller owns the database
 * and closes it afterwards. */
#ifndef MS_SERVER_H
#define MS_SERVER_H

#include "core/api.h"
#include "core/config.h"
#include "store/jobs.h"

#include <stdint.h>

typedef struct ms_server ms_server;

typedef struct ms_server_opts {
    const ms_config *config;
    db *db;
    const unsigned char *secret;          /* 32 bytes */
    const ms_route *const *route_tables;  /* module tables, NULL-terminated list */
    const char *const *openapi_fragments; /* module OpenAPI fragments, NULL-terminated */
    const ms_job_handler *job_handlers;   /* ends with {NULL}; their ctx is the server's env */
    ms_blobs *blobs;                      /* the blob store (may be NULL: no assets) */
    const char *work_dir;                 /* uploads in progress, job temp files */
    const char *web_root;                 /* "" or NULL: no web UI */
} ms_server_opts;

int server_start(const ms_server_opts *o, ms_server **out, ms_error *err);
uint16_t server_port(const ms_server *s);
const ms_env *server_env(const ms_server *s);
void server_stop(ms_server *s);

/* The complete OpenAPI document (base + fragments), for tests and `mstation openapi`. */
int openapi_build(const char *const *fragments, json_t **out, ms_error *err);
/* The server's own routes (/healthz, /readyz, /metrics, /api/v1/openapi.json). */
extern const ms_route http_system_routes[];
/* Every table the server routes: its own routes, then the modules' (`modules` is
 * NULL-terminated). Fills `out` (room for `cap`, NULL-terminated); false when it does not fit. */
bool server_route_tables(const ms_route *const *modules, const ms_route **out, int cap);
extern const char ms_openapi_base[];

#endif
