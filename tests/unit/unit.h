/* unit.h: what every cmocka unit test includes: cmocka itself (which needs these system
 * headers first), a temporary-folder helper, and the database URL of the engine under test. */
#ifndef MS_UNIT_H
#define MS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/db.h"

#include <stdbool.h>
#include <unistd.h>

/* A fresh folder under $TMPDIR; removed by unit_rmdir. */
static inline char *unit_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = malloc(4096);
    snprintf(path, 4096, "%s/mstation-unit-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(path)) abort();
    return path;
}

static inline void unit_rmdir(char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) abort();
    free(path);
}

/* The engine under test: SQLite in a temporary folder, or, when MSTATION_TEST_PG names a
 * PostgreSQL cluster (scripts/test does), a new database on it for each test. */
static inline bool unit_on_pg(void)
{
    const char *pg = getenv("MSTATION_TEST_PG");
    return pg && *pg;
}

static inline int unit_db_url(const char *dir, char *url, size_t size)
{
    if (!unit_on_pg()) {
        snprintf(url, size, "sqlite:%s/t.db", dir);
        return 0;
    }
    static int n;
    const char *admin = getenv("MSTATION_TEST_PG");
    char name[64];
    snprintf(name, sizeof name, "unit_%d_%d", (int)getpid(), ++n);
    db *d;
    ms_error e;
    if (db_open(admin, 1, &d, &e)) return -1;
    db_conn *c = db_acquire(d);
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    int rc = db_exec_script(c, sql, &e);
    db_release(c);
    db_close(d);
    const char *slash = strrchr(admin, '/');
    snprintf(url, size, "%.*s/%s", (int)(slash - admin), admin, name);
    return rc;
}

#endif
