/* http_internal.h: the server's state, shared by the files of src/http/ only. */
#ifndef MS_HTTP_INTERNAL_H
#define MS_HTTP_INTERNAL_H

#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

#include <microhttpd.h>
#include <stdatomic.h>

struct ms_server {
    ms_env env; /* first member: handlers get &srv->env and system routes cast back */
    ms_config config;
    ms_router *router;
    ms_metrics *metrics;
    struct MHD_Daemon *daemon;
    ms_jobs_runner *jobs;
    atomic_int inflight;
    atomic_bool draining;
    uint16_t port;
    char web_root[MS_CONFIG_STR];
    char *openapi_text; /* the merged document, served as-is */
    size_t openapi_len;
};

/* Static files of the web UI: fills a response for GET/HEAD of `path`, or returns NULL when
 * there is no web root. Sets *status. */
struct MHD_Response *static_response(ms_server *s, const char *path, const char *if_none_match,
                                     int *status);

#endif
