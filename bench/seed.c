/* seed.c: fill a data folder for the API benchmark: one studio owned by the given user,
 * PROJECTS projects and EVENTS events spread over them, written with the module functions
 * in large transactions.
 *   bench_seed DATA_DIR OWNER_EMAIL PROJECTS EVENTS */
#include "app/app.h"
#include "auth/auth.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_seed DATA_DIR OWNER_EMAIL PROJECTS EVENTS\n");
        return 2;
    }
    ms_config cfg;
    ms_error e;
    ms_error_clear(&e);
    /* The database from MSTATION_DATABASE when set (bench/api.sh seeds PostgreSQL too). */
    const char *flags[] = {"data", argv[1], "log_level", "warn", NULL};
    if (ms_config_load(&cfg, flags, environ, &e)) goto fail;
    db *d;
    if (app_store_open(&cfg, 1, &d, &e)) goto fail;
    db_conn *c = db_acquire(d);
    int projects = atoi(argv[3]), events = atoi(argv[4]);
    char owner[MS_ID_LEN];
    if (user_find_by_email(c, argv[2], owner, &e)) goto fail;
    if (db_begin(c, DB_TX_WRITE, &e)) goto fail;
    json_t *org;
    if (org_create(c, owner, "上海影业 Shanghai Pictures", NULL, "studio", NULL, &org, &e))
        goto fail;
    char org_id[MS_ID_LEN];
    snprintf(org_id, sizeof org_id, "%s", json_string_value(json_object_get(org, "id")));
    json_decref(org);
    char(*pids)[MS_ID_LEN] = calloc((size_t)projects, MS_ID_LEN);
    char now[MS_TIME_LEN];
    ms_now_str(now);
    for (int i = 0; i < projects; i++) {
        ms_uuid7(pids[i]);
        char name[64];
        snprintf(name, sizeof name, "微短剧 Micro Drama %04d", i);
        if (db_exec(c, &e,
                    "INSERT INTO project (id, org_id, name, code, description, status, created_by, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, '', 'active', ?, ?, ?)",
                    "sssssss", pids[i], org_id, name, "MD", owner, now, now) < 0)
            goto fail;
    }
    static const char *const actions[] = {"task.status_changed", "asset.version_created",
                                          "review.note_added", "project.updated"};
    for (int i = 0; i < events; i++) {
        char summary[200], oid[MS_ID_LEN];
        ms_uuid7(oid);
        const char *action = actions[i % 4];
        snprintf(summary, sizeof summary, "镜头 SH%04d: %s by 王伟 (v%03d)", i % 2000, action,
                 i % 50);
        json_t *data = json_pack("{s:i,s:s}", "version", i % 50, "status", "wip");
        ms_event ev = {.actor_id = owner,
                       .action = action,
                       .object_type = "shot",
                       .object_id = oid,
                       .org_id = org_id,
                       .project_id = pids[i % projects],
                       .summary = summary,
                       .data = data};
        int rc = event_append(c, &ev, &e);
        json_decref(data);
        if (rc) goto fail;
        if (i % 20000 == 19999) {
            if (db_commit(c, &e) || db_begin(c, DB_TX_WRITE, &e)) goto fail;
        }
    }
    if (db_commit(c, &e)) goto fail;
    free(pids);
    db_release(c);
    db_close(d);
    printf("seeded %d projects and %d events\n", projects, events);
    return 0;
fail:
    fprintf(stderr, "bench_seed: %s\n", e.detail);
    return 1;
}
