/* fuzz_router.c: libFuzzer target for the router, with the real route tables of every
 * module. Input: a method selector byte, then a path. Invariants: no crash; a match has the
 * matched route's method (or GET for HEAD) and one non-empty, slash-free value per {param};
 * a 405 names allowed methods. */
#include "app/app.h"
#include "http/router.h"
#include "http/server.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static ms_router *router;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const ms_route *tables[16];
    if (!server_route_tables(app_routes, tables, 16)) abort();
    ms_error e;
    if (router_build(tables, &router, &e)) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PATCH",   "DELETE",
                                          "PUT", "HEAD", "OPTIONS", "BREW"};
    if (size < 1 || size > 4096) return 0;
    const char *method = methods[data[0] % 8];
    char *path = malloc(size);
    memcpy(path, data + 1, size - 1);
    path[size - 1] = 0;
    char *scratch = malloc(size);
    route_match m;
    int rc = router_match(router, method, path, scratch, size, &m);
    if (rc == 0) {
        const char *want = strcmp(method, "HEAD") ? method : "GET";
        if (strcmp(m.route->method, want) != 0) abort();
        for (int i = 0; i < m.nparams; i++)
            if (!m.values[i][0] || strchr(m.values[i], '/')) abort();
    } else if (rc == MS_EBADREQ) {
        if (!m.allow[0]) abort();
    } else if (rc != MS_ENOTFOUND) {
        abort();
    }
    free(scratch);
    free(path);
    return 0;
}
