/* serve.c: `mstation serve`: open the store, start the server, wait for SIGINT/SIGTERM, stop
 * gracefully. Signals are blocked in every thread and taken with sigwait in this one, so no
 * handler runs in the middle of a request. */
#include "app/app.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/time.h"
#include "http/server.h"
#include "store/blob.h"
#include "talent/talent.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The talent search index loads in the background at start (seconds at a million
 * profiles), so that the first search does not wait for it; a search that comes first loads
 * it itself and this one finds it done. */
static void *talent_preload_main(void *arg)
{
    ms_error e;
    ms_error_clear(&e);
    uint64_t t0 = ms_mono_ns();
    if (talent_index_preload(arg, &e))
        ms_log(MS_LOG_WARN, "talent index not preloaded", json_pack("{s:s}", "error", e.detail));
    else
        ms_log(MS_LOG_INFO, "talent index loaded",
               json_pack("{s:I}", "ms", (json_int_t)((ms_mono_ns() - t0) / 1000000)));
    return NULL;
}

int cli_serve(const cli_args *a, char **envp)
{
    ms_config cfg;
    int rc = cli_config(a, envp, &cfg);
    if (rc) return rc;
    ms_error e;
    ms_error_clear(&e);
    if (!app_data_exists(&cfg)) {
        fprintf(stderr,
                "mstation serve: %s is not an initialized data folder; create it with\n"
                "  mstation init --data %s --admin-email you@example.com\n",
                cfg.data, cfg.data);
        return CLI_NOTFOUND;
    }
    unsigned char secret[32];
    if (app_secret_load(&cfg, secret, &e)) return cli_fail("serve", &e);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = cfg.threads > 0 ? (int)cfg.threads : (cores > 0 ? (int)cores : 2);
    db *d;
    if (app_store_open(&cfg, threads + (int)cfg.workers + 2, &d, &e))
        return cli_fail("cannot open the store", &e);
    if (app_schedule_maintenance(d, &e))
        ms_log(MS_LOG_WARN, "cannot schedule maintenance", json_pack("{s:s}", "error", e.detail));
    char web[MS_CONFIG_STR];
    app_web_root(&cfg, web, sizeof web);
    if (!web[0]) ms_log(MS_LOG_WARN, "no web UI found (set web_root); serving the API only", NULL);
    ms_env store;
    memset(&store, 0, sizeof store);
    if (app_blobs_open(&cfg, &store, &e)) {
        db_close(d);
        return cli_fail("cannot open the blob store", &e);
    }
    ms_server_opts o = {.config = &cfg,
                        .db = d,
                        .secret = secret,
                        .route_tables = app_routes,
                        .openapi_fragments = app_openapi,
                        .job_handlers = app_job_handlers,
                        .blobs = store.blobs,
                        .work_dir = store.work_dir,
                        .web_root = web};
    ms_server *s;
    if (server_start(&o, &s, &e)) {
        blobs_close(store.blobs);
        db_close(d);
        return cli_fail("serve", &e);
    }
    pthread_t preload;
    bool preloading = pthread_create(&preload, NULL, talent_preload_main, d) == 0;
    int sig = 0;
    sigwait(&set, &sig);
    ms_log(MS_LOG_INFO, "stopping",
           json_pack("{s:s}", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM"));
    server_stop(s);
    if (preloading) pthread_join(preload, NULL);
    blobs_close(store.blobs);
    db_close(d);
    ms_log(MS_LOG_INFO, "stopped", NULL);
    return CLI_OK;
}
