/* migrate.h: versioned schema migrations, per module, recorded in the database.
 *
 * Each module keeps its schema in its own schema.sql, a sequence of migrations:
 *
 *     -- migration 1: accounts and organizations
 *     CREATE TABLE ...;
 *     -- migration 2: invitations
 *     ...
 *
 * Versions count up from 1 without gaps. The runner applies, in module order, every
 * migration not yet recorded in schema_migration, each in its own transaction together with
 * its record. An applied migration whose text changed, or one the database has and this
 * binary does not (a downgrade), stops the runner with an error: the database is never
 * quietly run against a schema it does not have.
 *
 * SQL that one engine cannot run (a reserved word, an identity column) goes in a variant
 * file next to schema.sql, schema.pg.sql, which names only the migrations that differ, under
 * the same markers, and gives either a migration's whole PostgreSQL text or, better, only
 * what differs as "-- replace: TEXT" / "-- with: TEXT" line pairs (each TEXT found exactly
 * once). Variants are checked on every engine. Each migration is checked and applied under a lock
 * (db_lock), so that several servers starting at once on one PostgreSQL apply it once. */
#ifndef MS_MIGRATE_H
#define MS_MIGRATE_H

#include "core/error.h"
#include "store/db.h"

#include <stdbool.h>

typedef struct ms_schema {
    const char *module; /* "store", "auth", "assets", ... */
    const char *sql;    /* the module's schema.sql text */
    const char *sql_pg; /* its schema.pg.sql, or NULL: PostgreSQL variants of the migrations
                           whose SQL must differ there (same version and name, the same
                           tables, columns and indexes; `mstation db schema` shows both
                           engines' result and a test compares them) */
} ms_schema;

typedef struct ms_migrate_report {
    int applied; /* migrations applied by this run */
    int pending; /* migrations not yet applied (dry run) */
    int current; /* migrations already in the database */
} ms_migrate_report;

/* Apply (or, with dry_run, only count) pending migrations of `schemas` in order. */
int ms_migrate(db *d, const ms_schema *schemas, int nschemas, bool dry_run,
               ms_migrate_report *report, ms_error *err);

/* Split a schema text into migrations; calls `fn` for each (version, name, sql). For tests
 * and for the checks above. */
typedef int (*ms_migration_fn)(void *arg, int version, const char *name, const char *sql,
                               ms_error *err);
int ms_schema_parse(const char *module, const char *text, ms_migration_fn fn, void *arg,
                    ms_error *err);

#endif
