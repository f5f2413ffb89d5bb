/* pending.c: placeholders of the functions parts "search" and "work" define (talent_reindex,
 * talent_index_rebuild, talent_sync_production), so that main builds while they are being
 * written. Each part deletes its placeholder from this file when it merges; the file goes
 * with the last one. */
#include "talent/talent_internal.h"

int talent_sync_production(db_conn *c, int64_t seq, ms_error *err)
{
    (void)c;
    (void)seq;
    (void)err;
    return 0;
}
