/* app.h: the application: which modules exist and how the store, the modules and the server
 * are wired together. The CLI (every command) and the server use this one list, so adding a
 * module is one line per table here. It is the top layer: it may include every module and
 * src/http/; nothing includes it but src/cli/ and src/main.c. */
#ifndef MS_APP_H
#define MS_APP_H

#include "core/api.h"
#include "core/config.h"
#include "core/error.h"
#include "store/db.h"
#include "store/jobs.h"
#include "store/migrate.h"

#include <stdbool.h>

extern const ms_schema app_schemas[];
extern const int app_nschemas;
extern const ms_route *const app_routes[]; /* module route tables, NULL-terminated */
extern const char *const app_openapi[];    /* module OpenAPI fragments, NULL-terminated */
extern const ms_job_handler app_job_handlers[];

/* The job handlers' `ctx` is the server's ms_env (config, database, blob store, secret). */

/* Create the data folder (0700) with outbox/ and blobs/, a commented mstation.conf when there
 * is none, and the secret key when there is none. */
int app_data_init(const ms_config *cfg, ms_error *err);
/* True when the data folder holds an initialized installation (secret key + database). */
bool app_data_exists(const ms_config *cfg);
/* Open the blob store (config `store`) and make the work folders (<data>/work/uploads,
 * <data>/work/media); fills env->blobs and env->work_dir. */
int app_blobs_open(const ms_config *cfg, ms_env *env, ms_error *err);
/* Read the 32-byte server key (hex in secret_key_file). */
int app_secret_load(const ms_config *cfg, unsigned char out[32], ms_error *err);
/* Open the database with `pool` connections and apply pending migrations. */
int app_store_open(const ms_config *cfg, int pool, db **out, ms_error *err);
/* The web UI folder: web_root if set, else web/ next to the source tree of the binary, else
 * ./web; "" when none has index.html. */
void app_web_root(const ms_config *cfg, char *out, size_t outlen);
/* Make sure the hourly maintenance job is queued. */
int app_schedule_maintenance(db *d, ms_error *err);

#endif
