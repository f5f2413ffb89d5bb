/* metrics.h: request counters and latency histograms for /metrics (Prometheus text format).
 *
 * Counters are relaxed atomics indexed by route (the router's index; two extra slots for static
 * files and unmatched paths) and status code, in one shard per worker thread, so recording a
 * request takes no lock, allocates nothing and touches no cache line another thread writes.
 * Rendering sums the shards. */
#ifndef MS_METRICS_H
#define MS_METRICS_H

#include "core/buf.h"
#include "store/db.h"

#include <stdatomic.h>
#include <stdint.h>

#define METRICS_LAT_BUCKETS 14
#define METRICS_STATUS_MIN  100
#define METRICS_STATUS_N    500 /* 100..599 */

typedef struct ms_metrics ms_metrics;

/* `nroutes` routes plus the two extra slots: index nroutes = static, nroutes+1 = unmatched. */
ms_metrics *metrics_new(int nroutes);
void metrics_free(ms_metrics *m);
void metrics_record(ms_metrics *m, int route_slot, int status, uint64_t duration_us);
void metrics_connection(ms_metrics *m, int delta);
int metrics_open_connections(const ms_metrics *m);
/* Render everything; `route_label(i)` names route i ("GET /api/v1/projects/{id}"). */
void metrics_render(const ms_metrics *m, ms_buf *out, const char *(*route_method)(void *, int),
                    const char *(*route_pattern)(void *, int), void *arg, const db_stats *dbs,
                    int inflight);

#endif
