/* unit.h: what every cmocka unit test includes: cmocka itself (which needs these system
 * headers first) and a temporary-folder helper. */
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

#endif
