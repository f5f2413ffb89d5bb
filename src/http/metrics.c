/* metrics.c: see metrics.h. */
#include "http/metrics.h"

#include <stdlib.h>
#include <string.h>

static const double lat_bounds_s[METRICS_LAT_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

typedef struct route_stats {
    atomic_uint_fast64_t status[METRICS_STATUS_N];
    atomic_uint_fast64_t lat[METRICS_LAT_BUCKETS + 1];
    atomic_uint_fast64_t lat_sum_us;
    atomic_uint_fast64_t count;
} route_stats;

#define METRICS_SHARDS 8

struct ms_metrics {
    int nslots;
    route_stats *routes; /* METRICS_SHARDS x nslots */
    atomic_int next_shard;
    atomic_int open_connections;
    atomic_uint_fast64_t connections_total;
};

ms_metrics *metrics_new(int nroutes)
{
    ms_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->nslots = nroutes + 2;
    m->routes = calloc((size_t)m->nslots * METRICS_SHARDS, sizeof *m->routes);
    if (!m->routes) {
        free(m);
        return NULL;
    }
    return m;
}

void metrics_free(ms_metrics *m)
{
    if (!m) return;
    free(m->routes);
    free(m);
}

void metrics_record(ms_metrics *m, int slot, int status, uint64_t us)
{
    static _Thread_local int shard = -1;
    if (shard < 0) shard = atomic_fetch_add(&m->next_shard, 1) % METRICS_SHARDS;
    if (slot < 0 || slot >= m->nslots) slot = m->nslots - 1;
    route_stats *r = &m->routes[(size_t)shard * (size_t)m->nslots + (size_t)slot];
    if (status >= METRICS_STATUS_MIN && status < METRICS_STATUS_MIN + METRICS_STATUS_N)
        atomic_fetch_add_explicit(&r->status[status - METRICS_STATUS_MIN], 1, memory_order_relaxed);
    double s = (double)us / 1e6;
    int b = 0;
    while (b < METRICS_LAT_BUCKETS && s > lat_bounds_s[b])
        b++;
    atomic_fetch_add_explicit(&r->lat[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->lat_sum_us, us, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
}

void metrics_connection(ms_metrics *m, int delta)
{
    atomic_fetch_add(&m->open_connections, delta);
    if (delta > 0) atomic_fetch_add(&m->connections_total, 1);
}

int metrics_open_connections(const ms_metrics *m)
{
    return atomic_load(&m->open_connections);
}

static void label_route(ms_buf *o, const char *method, const char *pattern)
{
    /* Label values: escape backslash, quote and newline (patterns never have them, but the
     * format requires it). */
    ms_buf_printf(o, "method=\"%s\",route=\"", method);
    for (const char *p = pattern; *p; p++) {
        if (*p == '\\' || *p == '"') ms_buf_putc(o, '\\');
        if (*p == '\n') {
            ms_buf_puts(o, "\\n");
            continue;
        }
        ms_buf_putc(o, *p);
    }
    ms_buf_putc(o, '"');
}

void metrics_render(const ms_metrics *m, ms_buf *o, const char *(*route_method)(void *, int),
                    const char *(*route_pattern)(void *, int), void *arg, const db_stats *dbs,
                    int inflight)
{
    /* Sum the shards. */
    typedef struct sum {
        uint64_t status[METRICS_STATUS_N], lat[METRICS_LAT_BUCKETS + 1], lat_sum_us, count;
    } sum;
    sum *sums = calloc((size_t)m->nslots, sizeof *sums);
    if (!sums) {
        o->oom = true;
        return;
    }
    for (int sh = 0; sh < METRICS_SHARDS; sh++) {
        for (int i = 0; i < m->nslots; i++) {
            const route_stats *r = &m->routes[(size_t)sh * (size_t)m->nslots + (size_t)i];
            if (!atomic_load_explicit(&r->count, memory_order_relaxed)) continue;
            for (int s = 0; s < METRICS_STATUS_N; s++)
                sums[i].status[s] += atomic_load_explicit(&r->status[s], memory_order_relaxed);
            for (int b = 0; b <= METRICS_LAT_BUCKETS; b++)
                sums[i].lat[b] += atomic_load_explicit(&r->lat[b], memory_order_relaxed);
            sums[i].lat_sum_us += atomic_load_explicit(&r->lat_sum_us, memory_order_relaxed);
            sums[i].count += atomic_load_explicit(&r->count, memory_order_relaxed);
        }
    }
    ms_buf_puts(o, "# HELP mstation_http_requests_total HTTP requests by route and status.\n"
                   "# TYPE mstation_http_requests_total counter\n");
    for (int i = 0; i < m->nslots; i++) {
        const sum *r = &sums[i];
        for (int s = 0; s < METRICS_STATUS_N; s++) {
            uint64_t v = r->status[s];
            if (!v) continue;
            ms_buf_puts(o, "mstation_http_requests_total{");
            label_route(o, route_method(arg, i), route_pattern(arg, i));
            ms_buf_printf(o, ",status=\"%d\"} %llu\n", s + METRICS_STATUS_MIN,
                          (unsigned long long)v);
        }
    }
    ms_buf_puts(o, "# HELP mstation_http_request_duration_seconds Time from the first byte of a "
                   "request to the response being queued.\n"
                   "# TYPE mstation_http_request_duration_seconds histogram\n");
    for (int i = 0; i < m->nslots; i++) {
        const sum *r = &sums[i];
        uint64_t count = r->count;
        if (!count) continue;
        uint64_t cum = 0;
        for (int b = 0; b <= METRICS_LAT_BUCKETS; b++) {
            cum += r->lat[b];
            ms_buf_puts(o, "mstation_http_request_duration_seconds_bucket{");
            label_route(o, route_method(arg, i), route_pattern(arg, i));
            if (b < METRICS_LAT_BUCKETS)
                ms_buf_printf(o, ",le=\"%g\"} %llu\n", lat_bounds_s[b], (unsigned long long)cum);
            else
                ms_buf_printf(o, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
        }
        ms_buf_puts(o, "mstation_http_request_duration_seconds_sum{");
        label_route(o, route_method(arg, i), route_pattern(arg, i));
        ms_buf_printf(o, "} %.6f\n", (double)r->lat_sum_us / 1e6);
        ms_buf_puts(o, "mstation_http_request_duration_seconds_count{");
        label_route(o, route_method(arg, i), route_pattern(arg, i));
        ms_buf_printf(o, "} %llu\n", (unsigned long long)count);
    }
    ms_buf_printf(o,
                  "# HELP mstation_http_open_connections Open client connections.\n"
                  "# TYPE mstation_http_open_connections gauge\n"
                  "mstation_http_open_connections %d\n"
                  "# HELP mstation_http_connections_total Connections accepted.\n"
                  "# TYPE mstation_http_connections_total counter\n"
                  "mstation_http_connections_total %llu\n"
                  "# HELP mstation_http_requests_in_flight Requests being processed.\n"
                  "# TYPE mstation_http_requests_in_flight gauge\n"
                  "mstation_http_requests_in_flight %d\n",
                  atomic_load(&m->open_connections),
                  (unsigned long long)atomic_load(&m->connections_total), inflight);
    free(sums);
    if (!dbs) return;
    ms_buf_puts(o, "# HELP mstation_db_statement_duration_seconds Database statement time, "
                   "from binding to reset.\n"
                   "# TYPE mstation_db_statement_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int b = 0; b <= DB_HIST_BUCKETS; b++) {
        cum += dbs->hist[b];
        if (b < DB_HIST_BUCKETS)
            ms_buf_printf(o, "mstation_db_statement_duration_seconds_bucket{le=\"%g\"} %llu\n",
                          db_hist_bounds_us[b] / 1e6, (unsigned long long)cum);
        else
            ms_buf_printf(o, "mstation_db_statement_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                          (unsigned long long)cum);
    }
    ms_buf_printf(o,
                  "mstation_db_statement_duration_seconds_sum %.6f\n"
                  "mstation_db_statement_duration_seconds_count %llu\n"
                  "# HELP mstation_db_errors_total Failed database operations.\n"
                  "# TYPE mstation_db_errors_total counter\n"
                  "mstation_db_errors_total %llu\n"
                  "# HELP mstation_db_busy_total Operations that found the database locked.\n"
                  "# TYPE mstation_db_busy_total counter\n"
                  "mstation_db_busy_total %llu\n"
                  "# HELP mstation_db_commits_total Committed transactions.\n"
                  "# TYPE mstation_db_commits_total counter\n"
                  "mstation_db_commits_total %llu\n"
                  "# HELP mstation_db_rollbacks_total Rolled back transactions.\n"
                  "# TYPE mstation_db_rollbacks_total counter\n"
                  "mstation_db_rollbacks_total %llu\n"
                  "# HELP mstation_db_retries_total Transactions run again after a "
                  "serialization conflict.\n"
                  "# TYPE mstation_db_retries_total counter\n"
                  "mstation_db_retries_total %llu\n"
                  "# HELP mstation_db_connections_in_use Pooled connections in use.\n"
                  "# TYPE mstation_db_connections_in_use gauge\n"
                  "mstation_db_connections_in_use %d\n",
                  (double)dbs->total_us / 1e6, (unsigned long long)dbs->statements,
                  (unsigned long long)dbs->errors, (unsigned long long)dbs->busy,
                  (unsigned long long)dbs->tx_commits, (unsigned long long)dbs->tx_rollbacks,
                  (unsigned long long)dbs->retries, dbs->conns_in_use);
}
