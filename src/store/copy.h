/* copy.h: what a database holds, described the same way on every engine, and copying one
 * database into another (`mstation db schema`, `mstation migrate-store`).
 *
 * db_describe answers {"tables": {name: {"columns": [...], "indexes": [...]}}} with types
 * reduced to what both engines mean by them (integer, real, text, blob) and indexes named by
 * their columns, not by their names: two databases made by the two engines' migrations
 * describe equal when their schemas agree, which is how a test catches a per-engine
 * variant (schema.pg.sql) drifting from schema.sql.
 *
 * db_copy copies every row of every table of `src` (one read transaction: a consistent
 * snapshot even while servers write) into `dst` (one transaction: all or nothing), then reads
 * both again and compares, per table, the row count and a checksum of all rows that does
 * not depend on row order (the sum of each row's BLAKE2b-128). `dst` must have the same
 * tables (run the migrations on it first) and hold no rows except its migration records. */
#ifndef MS_COPY_H
#define MS_COPY_H

#include "store/db.h"

#include <jansson.h>

int db_describe(db_conn *c, json_t **out, ms_error *err);

typedef struct db_copy_table {
    char name[64];
    int64_t rows, dst_rows;
    char sum[33], dst_sum[33];
    bool ok;
} db_copy_table;

typedef struct db_copy_report {
    db_copy_table *tables; /* owned; free() it */
    int n;
    double seconds;
} db_copy_report;

/* Tables not copied: each database keeps its own record of the migrations it ran. Nor are
 * text indexes (store/db_text.h: db_text_derived), which differ by engine and are rebuilt by
 * their module from the rows that are copied. */
#define DB_COPY_SKIP "schema_migration"

int db_copy(db *src, db *dst, db_copy_report *rep, ms_error *err);

#endif
