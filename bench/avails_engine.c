/* avails_engine.c: the engine-level half of `make bench-avails` (bench/avails.sh) - the avails
 * engine (rights/avails.h) timed on the windows bench_avails_seed wrote, called the way the
 * server calls it per request, with no HTTP, JSON or database in the timed part.
 *
 *   bench_avails_engine DATA_DIR ORG_ID OUT_DIR [ROUNDS]
 *
 * Loads the organization's windows from the data folder into av_window arrays per title, as
 * the server's cache does: rights in, rights rows of signed and active deals (and of draft,
 * offered and negotiating ones, as pending), holdbacks (a deal's only while the deal holds),
 * each dimension parsed from its stored JSON by rights/dims.h. Then, per round, times with
 * clock_gettime:
 *   avails  av_compute for one title: 1-5 random territories, 1-2 random media, a 2-year
 *           window starting on a random day of 2012-2033, exclusive wanted; the answer walked
 *           (every segment of every cell) as a handler would
 *   check   the conflict check of one proposed exclusive right: a random title, a random
 *           regional group (or 1-3 random territories), one random medium, 1-5 years from a
 *           random day; av_compute, then the conflicts (every unavailable segment's reasons)
 *           collected
 *   grid    the whole catalogue for one random medium on one random day of 2015-2030,
 *           exclusive wanted: av_status_on for every title over the 250 territories (the
 *           time is per grid)
 * Questions are drawn exactly as the pgbench scripts draw theirs (bench/avails_pg_*.sql), so
 * both sides answer the same distribution. Prints key=value lines for the script:
 *   load ms=.. titles=.. windows=..
 *   engine name=avails round=1 n=.. p50_us=.. p99_us=..
 * and writes OUT_DIR/{avails,check,grid}_<i>.{vars,engine}: the first questions of the first
 * round as psql -v arguments, and the engine's answers in the form the PostgreSQL queries
 * print, for bench/avails.sh to compare.
 * Not a test of the engine (tests/unit/test_avails.c is): it trusts av_compute's answers. */
#include "app/app.h"
#include "rights/avails.h"
#include "rights/dims.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DAY_2012       15340 /* 2012-01-01 */
#define DAY_2034       23376 /* 2034-01-01 */
#define DAY_2015       16436 /* 2015-01-01 */
#define DAY_2031       22280 /* 2031-01-01 */
#define N_AVAILS       20000
#define N_CHECK        20000
#define N_GRID         100
#define N_SAMPLES      12
#define N_GRID_SAMPLES 2

static ms_error e;
static db_conn *conn;
static char org_id[64];
static dims_media_reg reg;
static ms_arena keep; /* languages and codes of the loaded windows: lives as long as they do */

/* ---- The loaded catalogue. ---- */
typedef struct title {
    char id[MS_ID_LEN];
    av_window *w;
    int nw, cap;
} title;
static title *titles;
static int ntitles;
static char (*refs)[MS_ID_LEN]; /* ref -> row id; ref 0 is none */
static int nrefs, caprefs;
static int64_t nwindows;

static int title_cmp(const void *a, const void *b)
{
    return strcmp(a, ((const title *)b)->id);
}
static title *title_find(const char *id)
{
    return bsearch(id, titles, (size_t)ntitles, sizeof *titles, title_cmp);
}

static uint32_t ref_new(const char *row_id)
{
    if (nrefs == caprefs) {
        caprefs = caprefs ? caprefs * 2 : 1 << 20;
        refs = realloc(refs, (size_t)caprefs * sizeof *refs);
        if (!refs) abort();
    }
    if (!nrefs) refs[nrefs++][0] = '\0';
    snprintf(refs[nrefs], MS_ID_LEN, "%s", row_id);
    return (uint32_t)nrefs++;
}

static int window_add(title *t, const av_window *w)
{
    if (t->nw == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->w = realloc(t->w, (size_t)t->cap * sizeof *t->w);
        if (!t->w) return MS_ENOMEM;
    }
    t->w[t->nw++] = *w;
    nwindows++;
    return 0;
}

/* Parse the stored dimensions of one row into w (terms by the caller). */
static int dims_of(const char *terr, const char *media, const char *langs, av_window *w)
{
    json_t *j = json_loads(terr, 0, NULL);
    int rc = j ? dims_terr_parse(j, &w->terrs, NULL, &e) : MS_EINVAL;
    json_decref(j);
    if (rc) return rc;
    j = json_loads(media, 0, NULL);
    rc = j ? dims_media_parse(j, &reg, &w->media, NULL, &e) : MS_EINVAL;
    json_decref(j);
    if (rc) return rc;
    w->langs = NULL;
    w->nlangs = 0;
    if (langs && strcmp(langs, "[]")) {
        av_lang *l;
        int n;
        j = json_loads(langs, 0, NULL);
        rc = j ? dims_langs_parse(j, false, &keep, &l, &n, NULL, &e) : MS_EINVAL;
        json_decref(j);
        if (rc) return rc;
        w->langs = l;
        w->nlangs = (uint16_t)n;
    }
    return 0;
}

static int term_of(const char *start, const char *end, av_window *w)
{
    av_day s, x;
    if (!start) { /* holdbacks: from always */
        if (!dims_date_parse(end, &x)) return MS_EINVAL;
        w->start = AV_OPEN_START;
        w->end = x + 1;
        return 0;
    }
    int rc = dims_term_parse(start, end, &s, &x, &e);
    w->start = s;
    w->end = x;
    return rc;
}

static bool holds(const char *status)
{
    return !strcmp(status, "signed") || !strcmp(status, "active");
}
static bool pending_status(const char *status)
{
    return !strcmp(status, "draft") || !strcmp(status, "offered") || !strcmp(status, "negotiating");
}

static int load(void)
{
    db_stmt *st;
    int rc;
    dims_media_reg_builtin(&reg);
    if (db_query(conn, &st, &e,
                 "SELECT code FROM rights_media WHERE org_id = ? ORDER BY created_at, code", "s",
                 org_id))
        return -1;
    while ((rc = db_step(st, &e)) == DB_ROW && reg.n < AV_NMEDIA)
        reg.codes[reg.n++] = ms_arena_strdup(&keep, db_col_text(st, 0));
    db_done(st);
    if (rc < 0) return -1;

    if (db_query(conn, &st, &e,
                 "SELECT COUNT(*) FROM rights_title WHERE org_id = ? AND deleted_at IS NULL", "s",
                 org_id) ||
        db_step(st, &e) != DB_ROW)
        return -1;
    ntitles = (int)db_col_int(st, 0);
    db_done(st);
    titles = calloc((size_t)ntitles + 1, sizeof *titles);
    int n = 0;
    if (db_query(conn, &st, &e,
                 "SELECT id FROM rights_title WHERE org_id = ? AND deleted_at IS NULL ORDER BY id",
                 "s", org_id))
        return -1;
    while ((rc = db_step(st, &e)) == DB_ROW && n < ntitles)
        snprintf(titles[n++].id, MS_ID_LEN, "%s", db_col_text(st, 0));
    db_done(st);
    if (rc < 0) return -1;
    ntitles = n;

    /* Rights in. */
    if (db_query(conn, &st, &e,
                 "SELECT id, title_id, territories, media, languages, start_date, end_date, "
                 "exclusivity FROM rights_in WHERE org_id = ? AND deleted_at IS NULL",
                 "s", org_id))
        return -1;
    while ((rc = db_step(st, &e)) == DB_ROW) {
        title *t = title_find(db_col_text(st, 1));
        if (!t) continue;
        av_window w = {.kind = AV_RIGHTS_IN};
        int x = dims_excl_parse(db_col_text(st, 7));
        if (x < 0 || dims_of(db_col_text(st, 2), db_col_text(st, 3), db_col_text(st, 4), &w) ||
            term_of(db_col_text(st, 5), db_col_text(st, 6), &w))
            goto bad;
        w.excl = (uint8_t)x;
        w.ref = ref_new(db_col_text(st, 0));
        if (window_add(t, &w)) goto bad;
    }
    db_done(st);
    if (rc < 0) return -1;

    /* Licenses: the rows of deals that hold (signed, active) or may (pending). */
    if (db_query(conn, &st, &e,
                 "SELECT r.id, r.title_id, r.territories, r.media, r.languages, r.start_date, "
                 "r.end_date, r.exclusivity, d.status FROM rights_deal_right r JOIN rights_deal "
                 "d ON d.id = r.deal_id WHERE r.org_id = ? AND d.deleted_at IS NULL",
                 "s", org_id))
        return -1;
    while ((rc = db_step(st, &e)) == DB_ROW) {
        const char *status = db_col_text(st, 8);
        bool pend = pending_status(status);
        if (!pend && !holds(status)) continue;
        title *t = title_find(db_col_text(st, 1));
        if (!t) continue;
        av_window w = {.kind = AV_LICENSE, .pending = pend};
        int x = dims_excl_parse(db_col_text(st, 7));
        if (x < 0 || dims_of(db_col_text(st, 2), db_col_text(st, 3), db_col_text(st, 4), &w) ||
            term_of(db_col_text(st, 5), db_col_text(st, 6), &w))
            goto bad;
        w.excl = (uint8_t)x;
        w.ref = ref_new(db_col_text(st, 0));
        if (window_add(t, &w)) goto bad;
    }
    db_done(st);
    if (rc < 0) return -1;

    /* Holdbacks: by hand, or a deal's while the deal holds. */
    if (db_query(conn, &st, &e,
                 "SELECT h.id, h.title_id, h.territories, h.media, h.start_date, h.end_date, "
                 "d.status FROM rights_holdback h LEFT JOIN rights_deal d ON d.id = h.deal_id "
                 "WHERE h.org_id = ? AND h.deleted_at IS NULL",
                 "s", org_id))
        return -1;
    while ((rc = db_step(st, &e)) == DB_ROW) {
        const char *status = db_col_text(st, 6);
        if (status && !holds(status)) continue;
        title *t = title_find(db_col_text(st, 1));
        if (!t) continue;
        av_window w = {.kind = AV_HOLDBACK, .excl = AV_EXCLUSIVE};
        if (dims_of(db_col_text(st, 2), db_col_text(st, 3), NULL, &w) ||
            term_of(db_col_text(st, 4), db_col_text(st, 5), &w))
            goto bad;
        w.ref = ref_new(db_col_text(st, 0));
        if (window_add(t, &w)) goto bad;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
bad:
    fprintf(stderr, "bench_avails_engine: row %s: %s\n", db_col_text(st, 0), e.detail);
    db_done(st);
    return -1;
}

/* ---- Questions, drawn as the pgbench scripts draw them. ---- */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static int rnd_range(int lo, int hi) /* [lo, hi], as pgbench's random(lo, hi) */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (int)((rng >> 11) % (uint64_t)(hi - lo + 1));
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}
static double pct_us(int64_t *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_i64);
    int i = (int)(p / 100.0 * n + 0.999999) - 1;
    if (i < 0) i = 0;
    if (i >= n) i = n - 1;
    return (double)v[i] / 1000.0;
}

static FILE *out_file(const char *dir, const char *name, int i, const char *ext)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s_%d.%s", dir, name, i, ext);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench_avails_engine: cannot write %s\n", path);
        exit(1);
    }
    return f;
}

static void fmt_day(av_day d, char out[11])
{
    dims_date_fmt(d, out);
}

/* The available days of territory t, media m in a result, printed as PostgreSQL prints a
 * datemultirange: {[2020-01-01,2021-03-01),[...)}; adjacent available segments merged. */
static void print_available(FILE *f, const av_result *r, int t, int m)
{
    fputc('{', f);
    bool first = true;
    for (int c = 0; c < r->ncells; c++) {
        const av_cell *cell = &r->cells[c];
        if (cell->media != m || !av_terrs_has(&cell->terrs, t)) continue;
        for (int s = 0; s < cell->nsegs; s++) {
            if (!cell->segs[s].available) continue;
            av_day a = cell->segs[s].start, b = cell->segs[s].end;
            while (s + 1 < cell->nsegs && cell->segs[s + 1].available &&
                   cell->segs[s + 1].start == b)
                b = cell->segs[++s].end;
            char x[11], y[11];
            fmt_day(a, x);
            fmt_day(b, y);
            fprintf(f, "%s[%s,%s)", first ? "" : ",", x, y);
            first = false;
        }
    }
    fputc('}', f);
}

/* A result walked as a handler walks it; returns a checksum so nothing is optimized away. */
static int64_t walk(const av_result *r)
{
    int64_t sum = 0;
    for (int c = 0; c < r->ncells; c++)
        for (int s = 0; s < r->cells[c].nsegs; s++) {
            const av_segment *g = &r->cells[c].segs[s];
            sum += g->available + g->nreasons + (g->end - g->start);
        }
    return sum;
}

/* The conflicts of a check's answer: every unavailable segment's reasons, and the territories
 * they touch (into `hit`). Returns the number of (segment, reason) pairs. */
static int64_t conflicts_of(const av_result *r, av_terrs *hit)
{
    int64_t n = 0;
    memset(hit, 0, sizeof *hit);
    for (int c = 0; c < r->ncells; c++)
        for (int s = 0; s < r->cells[c].nsegs; s++) {
            const av_segment *g = &r->cells[c].segs[s];
            if (g->available) continue;
            for (int i = 0; i < AV_NTERR / 64; i++)
                hit->w[i] |= r->cells[c].terrs.w[i];
            n += g->nreasons + g->more;
        }
    return n;
}

static av_terrs groups[32];
static int ngroups;

typedef struct stats {
    double p50, p99;
    int n;
} stats;

static volatile int64_t sink;

static stats run_avails(ms_arena *a, int n, const char *dir, int samples)
{
    int64_t *ns = malloc((size_t)n * sizeof *ns);
    for (int i = 0; i < n; i++) {
        int t = rnd_range(1, ntitles), tt[5], nt, mm[2], nm;
        for (int k = 0; k < 5; k++)
            tt[k] = rnd_range(0, dims_terr_count() - 1);
        nt = rnd_range(1, 5);
        mm[0] = rnd_range(0, reg.n - 1);
        mm[1] = rnd_range(0, reg.n - 1);
        nm = rnd_range(1, 2);
        int s = rnd_range(DAY_2012, DAY_2034 - 1);
        av_query q = {.start = s, .end = s + 730, .excl = AV_EXCLUSIVE};
        for (int k = 0; k < nt; k++)
            av_terrs_add(&q.terrs, tt[k]);
        for (int k = 0; k < nm; k++)
            q.media |= 1ULL << mm[k];
        const title *ti = &titles[t - 1];
        ms_arena_reset(a);
        av_result r;
        int64_t t0 = now_ns();
        int rc = av_compute(ti->w, ti->nw, &q, a, &r);
        sink += walk(&r);
        ns[i] = now_ns() - t0;
        if (rc) {
            fprintf(stderr, "bench_avails_engine: av_compute failed (%d)\n", rc);
            exit(1);
        }
        if (i < samples) {
            FILE *v = out_file(dir, "avails", i, "vars");
            fprintf(v,
                    "-v t=%d -v t1=%d -v t2=%d -v t3=%d -v t4=%d -v t5=%d -v nt=%d -v m1=%d "
                    "-v m2=%d -v nm=%d -v s=%d -v x=2\n",
                    t, tt[0], tt[1], tt[2], tt[3], tt[4], nt, mm[0], mm[1], nm, s);
            fclose(v);
            FILE *f = out_file(dir, "avails", i, "engine");
            for (int ter = 0; ter < AV_NTERR; ter++) {
                if (!av_terrs_has(&q.terrs, ter)) continue;
                for (int m = 0; m < reg.n; m++) {
                    if (!(q.media >> m & 1)) continue;
                    fprintf(f, "%d|%d|", ter, m);
                    print_available(f, &r, ter, m);
                    fputc('\n', f);
                }
            }
            fclose(f);
        }
    }
    stats st = {.p50 = pct_us(ns, n, 50), .p99 = pct_us(ns, n, 99), .n = n};
    free(ns);
    return st;
}

static stats run_check(ms_arena *a, int n, const char *dir, int samples)
{
    int64_t *ns = malloc((size_t)n * sizeof *ns);
    for (int i = 0; i < n; i++) {
        int t = rnd_range(1, ntitles), gsel = rnd_range(0, 1), g = rnd_range(0, ngroups - 1), tt[3],
            nt;
        for (int k = 0; k < 3; k++)
            tt[k] = rnd_range(0, dims_terr_count() - 1);
        nt = rnd_range(1, 3);
        int m = rnd_range(0, reg.n - 1), s = rnd_range(DAY_2012, DAY_2034 - 1), y = rnd_range(1, 5);
        av_query q = {.start = s, .end = s + 365 * y, .excl = AV_EXCLUSIVE, .media = 1ULL << m};
        if (gsel)
            q.terrs = groups[g];
        else
            for (int k = 0; k < nt; k++)
                av_terrs_add(&q.terrs, tt[k]);
        const title *ti = &titles[t - 1];
        ms_arena_reset(a);
        av_result r;
        av_terrs hit;
        int64_t t0 = now_ns();
        int rc = av_compute(ti->w, ti->nw, &q, a, &r);
        sink += conflicts_of(&r, &hit);
        ns[i] = now_ns() - t0;
        if (rc) {
            fprintf(stderr, "bench_avails_engine: av_compute failed (%d)\n", rc);
            exit(1);
        }
        if (i < samples) {
            FILE *v = out_file(dir, "check", i, "vars");
            fprintf(v,
                    "-v t=%d -v gsel=%d -v g=%d -v t1=%d -v t2=%d -v t3=%d -v nt=%d -v m=%d "
                    "-v s=%d -v y=%d\n",
                    t, gsel, g, tt[0], tt[1], tt[2], nt, m, s, y);
            fclose(v);
            FILE *f = out_file(dir, "check", i, "engine");
            const char *sep = "";
            for (int ter = 0; ter < AV_NTERR; ter++)
                if (av_terrs_has(&hit, ter)) {
                    fprintf(f, "%s%d", sep, ter);
                    sep = ",";
                }
            fputc('\n', f);
            fclose(f);
        }
    }
    stats st = {.p50 = pct_us(ns, n, 50), .p99 = pct_us(ns, n, 99), .n = n};
    free(ns);
    return st;
}

static stats run_grid(int n, const char *dir, int samples)
{
    static const char letters[] = "ANLXEH";
    int64_t *ns = malloc((size_t)n * sizeof *ns);
    int nt = dims_terr_count();
    uint8_t *status = malloc((size_t)ntitles * AV_NTERR);
    uint32_t *ref = malloc((size_t)AV_NTERR * sizeof *ref);
    av_terrs all;
    dims_terr_group("WORLD", &all);
    for (int i = 0; i < n; i++) {
        int m = rnd_range(0, reg.n - 1), d = rnd_range(DAY_2015, DAY_2031 - 1);
        int64_t t0 = now_ns();
        for (int t = 0; t < ntitles; t++)
            av_status_on(titles[t].w, titles[t].nw, &all, m, d, AV_EXCLUSIVE,
                         status + (size_t)t * AV_NTERR, ref);
        ns[i] = now_ns() - t0;
        sink += status[(size_t)(i % ntitles) * AV_NTERR + i % nt];
        if (i < samples) {
            FILE *v = out_file(dir, "grid", i, "vars");
            fprintf(v, "-v m=%d -v d=%d -v x=2\n", m, d);
            fclose(v);
            FILE *f = out_file(dir, "grid", i, "engine");
            for (int t = 0; t < ntitles; t++) {
                fprintf(f, "%d|", t + 1);
                for (int k = 0; k < nt; k++)
                    fputc(letters[status[(size_t)t * AV_NTERR + k] % 6], f);
                fputc('\n', f);
            }
            fclose(f);
        }
    }
    stats st = {.p50 = pct_us(ns, n, 50), .p99 = pct_us(ns, n, 99), .n = n};
    free(ns);
    free(status);
    free(ref);
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: bench_avails_engine DATA_DIR ORG_ID OUT_DIR [ROUNDS]\n");
        return 2;
    }
    int rounds = argc == 5 ? atoi(argv[4]) : 3;
    if (rounds < 1 || rounds > 100) rounds = 3;
    snprintf(org_id, sizeof org_id, "%s", argv[2]);
    ms_config cfg;
    ms_error_clear(&e);
    ms_arena_init(&keep, 1 << 20);
    const char *flags[] = {"data", argv[1], "log_level", "warn", NULL};
    if (ms_config_load(&cfg, flags, environ, &e)) goto fail;
    db *d;
    if (app_store_open(&cfg, 1, &d, &e)) goto fail;
    conn = db_acquire(d);
    int64_t t0 = now_ns();
    if (db_begin(conn, DB_TX_READ, &e) || load()) goto fail;
    db_rollback(conn);
    int64_t t1 = now_ns();
    db_release(conn);
    db_close(d);
    printf("load ms=%.0f titles=%d windows=%lld\n", (double)(t1 - t0) / 1e6, ntitles,
           (long long)nwindows);
    for (int g = 0; dims_terr_groups[g]; g++)
        if (strcmp(dims_terr_groups[g], "WORLD") && ngroups < 32)
            dims_terr_group(dims_terr_groups[g], &groups[ngroups++]);
    fflush(stdout);

    ms_arena a;
    ms_arena_init(&a, 1 << 16);
    run_avails(&a, 2000, argv[3], 0); /* warm the caches */
    for (int r = 1; r <= rounds; r++) {
        stats s = run_avails(&a, N_AVAILS, argv[3], r == 1 ? N_SAMPLES : 0);
        printf("engine name=avails round=%d n=%d p50_us=%.2f p99_us=%.2f\n", r, s.n, s.p50, s.p99);
        s = run_check(&a, N_CHECK, argv[3], r == 1 ? N_SAMPLES : 0);
        printf("engine name=check round=%d n=%d p50_us=%.2f p99_us=%.2f\n", r, s.n, s.p50, s.p99);
        s = run_grid(N_GRID, argv[3], r == 1 ? N_GRID_SAMPLES : 0);
        printf("engine name=grid round=%d n=%d p50_us=%.2f p99_us=%.2f\n", r, s.n, s.p50, s.p99);
        fflush(stdout);
    }
    ms_arena_free(&a);
    ms_arena_free(&keep);
    return 0;
fail:
    fprintf(stderr, "bench_avails_engine: %s\n", e.detail);
    return 1;
}
