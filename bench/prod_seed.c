/* prod_seed.c: fill a data folder for `make bench-production` (bench/production.sh).
 *
 *   bench_prod_seed DATA_DIR OWNER_EMAIL base    one studio owned by OWNER_EMAIL, 1,200 artists
 *                                                (members) and a series (80 episodes x 4
 *                                                sequences x 10 shots x 8 shot task types =
 *                                                25,600 tasks), held by artists 0-199
 *   bench_prod_seed DATA_DIR OWNER_EMAIL studio  a feature (60 sequences x 50 shots = 3,000
 *                                                shots, 24,000 tasks) and 98 more series (10 x 5
 *                                                x 25 shots x 8 = 10,000 tasks each), held by
 *                                                artists 200-1199: the installation then holds
 *                                                1,029,600 tasks in 100 projects
 *
 * The vocabulary comes from the production module's own templates (production_setup); the
 * entities, tasks and assignees are written with plain INSERTs in large transactions, the
 * rows the API would write. Prints key=value lines (project and type ids) for the script. */
#include "app/app.h"
#include "auth/auth.h"
#include "core/id.h"
#include "core/time.h"
#include "production/production.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARTISTS   1200
#define BASE_POOL 200 /* artists 0..199 work on the series and the feature */

static db_conn *conn;
static ms_error e;
static char owner[MS_ID_LEN], org_id[MS_ID_LEN], now[MS_TIME_LEN];
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static int64_t rows_in_tx;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static int tick(void)
{
    if (++rows_in_tx < 50000) return 0;
    rows_in_tx = 0;
    return db_commit(conn, &e) || db_begin(conn, DB_TX_WRITE, &e) ? -1 : 0;
}

static int project_new(const char *name, const char *tpl, char id[MS_ID_LEN])
{
    ms_uuid7(id);
    if (db_exec(conn, &e,
                "INSERT INTO project (id, org_id, name, code, description, status, created_by, "
                "created_at, updated_at) VALUES (?, ?, ?, 'BN', '', 'active', ?, ?, ?)",
                "ssssss", id, org_id, name, owner, now, now) < 0)
        return -1;
    return production_setup(conn, id, tpl, &e);
}

/* The id of `what` (an SQL returning one id for the project). */
static int one_id(const char *sql, const char *pid, char out[MS_ID_LEN])
{
    db_stmt *st;
    if (db_query_row(conn, &st, &e, sql, "s", pid) < 0) return -1;
    snprintf(out, MS_ID_LEN, "%s", db_col_text(st, 0));
    db_done(st);
    return 0;
}

typedef struct vocab {
    char episode[MS_ID_LEN], sequence[MS_ID_LEN], shot[MS_ID_LEN];
    char task_types[8][MS_ID_LEN];
    int ntypes;
    char statuses[6][MS_ID_LEN];
    int nstatuses;
} vocab;

static int vocab_load(const char *pid, vocab *v)
{
    memset(v, 0, sizeof *v);
    db_stmt *st;
    int rc;
    if (db_query(conn, &st, &e, "SELECT id, kind FROM entity_type WHERE project_id = ?", "s", pid))
        return -1;
    while ((rc = db_step(st, &e)) == DB_ROW) {
        const char *kind = db_col_text(st, 1);
        char *to = !strcmp(kind, "episode")    ? v->episode
                   : !strcmp(kind, "sequence") ? v->sequence
                   : !strcmp(kind, "shot")     ? v->shot
                                               : NULL;
        if (to) snprintf(to, MS_ID_LEN, "%s", db_col_text(st, 0));
    }
    db_done(st);
    if (rc < 0) return -1;
    if (db_query(conn, &st, &e,
                 "SELECT id FROM task_type WHERE project_id = ? AND for_kind = 'shot' ORDER BY "
                 "position LIMIT 8",
                 "s", pid))
        return -1;
    while ((rc = db_step(st, &e)) == DB_ROW)
        snprintf(v->task_types[v->ntypes++], MS_ID_LEN, "%s", db_col_text(st, 0));
    db_done(st);
    if (rc < 0) return -1;
    if (db_query(conn, &st, &e,
                 "SELECT id FROM task_status WHERE project_id = ? ORDER BY position LIMIT 6", "s",
                 pid))
        return -1;
    while ((rc = db_step(st, &e)) == DB_ROW)
        snprintf(v->statuses[v->nstatuses++], MS_ID_LEN, "%s", db_col_text(st, 0));
    db_done(st);
    return rc < 0 ? -1 : 0;
}

static int entity_new(const char *pid, const char *type_id, const char *parent, const char *name,
                      int position, char id[MS_ID_LEN])
{
    ms_uuid7(id);
    if (db_exec(conn, &e,
                "INSERT INTO entity (id, project_id, type_id, parent_id, name, position, "
                "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "sssssisss", id, pid, type_id, parent, name, position, owner, now, now) < 0)
        return -1;
    return tick();
}

/* Shots of one parent with their 8 tasks, each task held by one artist of [lo, lo + n). */
static int shots_new(const char *pid, const vocab *v, const char *parent, int count,
                     char (*artists)[MS_ID_LEN], int lo, int n, int64_t *tasks)
{
    /* Statuses weighted as a production in full swing: todo, wip, wfa, retake, approved, done. */
    static const int weight[6] = {30, 25, 10, 5, 15, 15};
    for (int s = 0; s < count; s++) {
        char shot[MS_ID_LEN], name[16];
        snprintf(name, sizeof name, "SH%03d0", s + 1);
        ms_uuid7(shot);
        int frames = 24 + (int)(next_rand() % 200);
        if (db_exec(conn, &e,
                    "INSERT INTO entity (id, project_id, type_id, parent_id, name, frame_in, "
                    "frame_out, position, created_by, created_at, updated_at) VALUES (?, ?, ?, "
                    "?, ?, ?, ?, ?, ?, ?, ?)",
                    "sssssiiisss", shot, pid, v->shot, parent, name, 1001, 1001 + frames - 1, s,
                    owner, now, now) < 0 ||
            tick())
            return -1;
        for (int t = 0; t < v->ntypes; t++) {
            char task[MS_ID_LEN], due[11];
            ms_uuid7(task);
            int w = (int)(next_rand() % 100), st = 0;
            while (st < 5 && w >= weight[st])
                w -= weight[st++];
            snprintf(due, sizeof due, "2027-%02d-%02d", 1 + (int)(next_rand() % 12),
                     1 + (int)(next_rand() % 28));
            if (db_exec(conn, &e,
                        "INSERT INTO task (id, project_id, entity_id, task_type_id, status_id, "
                        "priority, estimate, due_date, created_by, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "sssssiissss", task, pid, shot, v->task_types[t], v->statuses[st],
                        (int)(next_rand() % 4), 60 * (1 + (int)(next_rand() % 16)), due, owner, now,
                        now) < 0 ||
                tick())
                return -1;
            const char *who = artists[lo + (int)(next_rand() % (uint32_t)n)];
            if (db_exec(conn, &e, "INSERT INTO task_assignee (task_id, user_id) VALUES (?, ?)",
                        "ss", task, who) < 0 ||
                tick())
                return -1;
            (*tasks)++;
        }
    }
    return 0;
}

/* A series: episodes x sequences x shots, named EP001 / SQ010 / SH0010. */
static int series_fill(const char *pid, int eps, int seqs, int shots, char (*artists)[MS_ID_LEN],
                       int lo, int n, int64_t *tasks)
{
    vocab v;
    if (vocab_load(pid, &v)) return -1;
    for (int i = 0; i < eps; i++) {
        char ep[MS_ID_LEN], name[16];
        snprintf(name, sizeof name, "EP%03d", i + 1);
        if (entity_new(pid, v.episode, NULL, name, i, ep)) return -1;
        for (int k = 0; k < seqs; k++) {
            char sq[MS_ID_LEN];
            snprintf(name, sizeof name, "SQ%03d", (k + 1) * 10);
            if (entity_new(pid, v.sequence, ep, name, k, sq)) return -1;
            if (shots_new(pid, &v, sq, shots, artists, lo, n, tasks)) return -1;
        }
    }
    return 0;
}

static int feature_fill(const char *pid, int seqs, int shots, char (*artists)[MS_ID_LEN], int lo,
                        int n, int64_t *tasks)
{
    vocab v;
    if (vocab_load(pid, &v)) return -1;
    for (int k = 0; k < seqs; k++) {
        char sq[MS_ID_LEN], name[16];
        snprintf(name, sizeof name, "SQ%03d", (k + 1) * 10);
        if (entity_new(pid, v.sequence, NULL, name, k, sq)) return -1;
        if (shots_new(pid, &v, sq, shots, artists, lo, n, tasks)) return -1;
    }
    return 0;
}

static int artists_load(char (*artists)[MS_ID_LEN], bool create)
{
    static const char hash[] = "$argon2id$v=19$m=65536,t=2,p=1$YmVuY2hzYWx0$bench-no-signin";
    for (int i = 0; i < ARTISTS; i++) {
        char email[64], name[64];
        snprintf(email, sizeof email, "artist%04d@bench.example", i);
        if (!create) {
            if (user_find_by_email(conn, email, artists[i], &e)) return -1;
            continue;
        }
        snprintf(name, sizeof name, "Artist %04d", i);
        if (user_create_hashed(conn, email, name, "en", hash, false, artists[i], &e)) return -1;
        if (db_exec(conn, &e,
                    "INSERT INTO membership (org_id, user_id, role, created_at, updated_at) "
                    "VALUES (?, ?, 'member', ?, ?)",
                    "ssss", org_id, artists[i], now, now) < 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[3], "base") && strcmp(argv[3], "studio"))) {
        fprintf(stderr, "usage: bench_prod_seed DATA_DIR OWNER_EMAIL base|studio\n");
        return 2;
    }
    ms_config cfg;
    ms_error_clear(&e);
    const char *flags[] = {"data", argv[1], "log_level", "warn", NULL};
    if (ms_config_load(&cfg, flags, environ, &e)) goto fail;
    db *d;
    if (app_store_open(&cfg, 1, &d, &e)) goto fail;
    conn = db_acquire(d);
    ms_now_str(now);
    if (user_find_by_email(conn, argv[2], owner, &e)) goto fail;
    bool base = !strcmp(argv[3], "base");
    char(*artists)[MS_ID_LEN] = calloc(ARTISTS, MS_ID_LEN);
    int64_t tasks = 0;
    if (db_begin(conn, DB_TX_WRITE, &e)) goto fail;
    if (base) {
        json_t *org;
        if (org_create(conn, owner, "Bench Studio", NULL, "studio", NULL, &org, &e)) goto fail;
        snprintf(org_id, sizeof org_id, "%s", json_string_value(json_object_get(org, "id")));
        json_decref(org);
        if (artists_load(artists, true)) goto fail;
        char series[MS_ID_LEN];
        if (project_new("Bench Series", "series", series) ||
            series_fill(series, 80, 4, 10, artists, 0, BASE_POOL, &tasks))
            goto fail;
        printf("series=%s\norg=%s\n", series, org_id);
    } else {
        if (one_id("SELECT id FROM org WHERE name = ? ORDER BY id LIMIT 1", "Bench Studio",
                   org_id) ||
            artists_load(artists, false))
            goto fail;
        char feature[MS_ID_LEN];
        if (project_new("Bench Feature", "feature", feature) ||
            feature_fill(feature, 60, 50, artists, BASE_POOL, ARTISTS - BASE_POOL, &tasks))
            goto fail;
        printf("feature=%s\n", feature);
        for (int p = 0; p < 98; p++) {
            char pid[MS_ID_LEN], name[64];
            snprintf(name, sizeof name, "Bench Studio Series %02d", p + 1);
            if (project_new(name, "series", pid) ||
                series_fill(pid, 10, 5, 25, artists, BASE_POOL, ARTISTS - BASE_POOL, &tasks))
                goto fail;
        }
    }
    if (db_commit(conn, &e)) goto fail;
    free(artists);
    db_release(conn);
    db_close(d);
    fprintf(stderr, "bench_prod_seed: %s: %lld tasks\n", argv[3], (long long)tasks);
    return 0;
fail:
    fprintf(stderr, "bench_prod_seed: %s\n", e.detail);
    return 1;
}
