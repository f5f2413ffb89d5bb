/* avails_seed.c: fill a data folder for `make bench-avails` (bench/avails.sh), and write the
 * same windows as CSV for PostgreSQL.
 *
 *   bench_avails_seed DATA_DIR OWNER_EMAIL CSV_DIR
 *
 * One distributor organization owned by OWNER_EMAIL with 5 media of its own (20 in all),
 * 10,000 titles and exactly 1,000,000 rights windows over the 250 territories of rights/dims.h
 * and 30 languages:
 *   - rights in: 2-4 per title - a main one (WORLD minus a few, or a continent; every medium
 *     or most; from 2008-2020, open or 15-25 years), then renewals, regional extras limited
 *     to a language, media extras (non-exclusive);
 *   - licenses out: deals of 1-6 rights rows on one title (rights_deal + rights_deal_right),
 *     exclusive, sole or non-exclusive, inside the rights in they come from (countries,
 *     regional groups with exclusions, WORLD minus what is not held), 1-7 years, some open,
 *     some limited to languages; 80% signed or active and conflict-free among themselves (an
 *     exclusive overlaps nothing signed, a non-exclusive no exclusive and no holdback), 20%
 *     pending (draft, offered, negotiating: these may overlap anything);
 *   - holdbacks: media chronology by hand (a medium kept dark in some territories until a
 *     date) and the holdbacks signed exclusive TV deals promise (the streaming media of the
 *     deal's territories over its term).
 * Titles get a skewed number of windows (most 50-100, a few hundred, the largest 1,500), as a
 * catalogue has a few titles everyone licenses.
 *
 * Rows are written with plain INSERTs in large transactions, the rows the API would write
 * (no events). Dimensions are stored in the canonical form the API stores: the territory,
 * media and language parsers of rights/dims.h make them, and their sets are what the CSV
 * carries, so PostgreSQL sees exactly the windows the engine does. Deterministic: a fixed
 * seed, the same data on every run (ids and timestamps aside).
 *
 * CSV_DIR gets:
 *   windows.csv  wid,row_id,title_no,kind,excl,pending,media,terrs,langs,during - one row per
 *                window: kind 1 rights in, 2 license, 3 holdback; excl 0 non-exclusive, 1 sole,
 *                2 exclusive; media and terrs as PostgreSQL smallint[] of registry / territory
 *                indexes; langs the stored JSON; during a daterange [start, end)
 *   titles.csv   title_no,id (title_no 1.. in id order)
 *   groups.csv   g,name,terrs - the named groups but WORLD, in dims_terr_groups order
 *   codes.txt    the territory codes in index order; media.txt the media codes in registry
 *                order (for the HTTP clients)
 * Not a test of the API's checks: it trusts itself to write valid rows. */
#include "app/app.h"
#include "auth/auth.h"
#include "core/id.h"
#include "core/time.h"
#include "rights/dims.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TITLES      10000
#define WINDOWS     1000000
#define MAX_PER     1500
#define NCUSTOM     5
#define NLANGS      30
#define NREGISTRY   (DIMS_MEDIA_BUILTIN + NCUSTOM)
#define GEN_HORIZON 27759 /* 2046-01-01: open terms are generated as if they ended there */

static db_conn *conn;
static ms_error e;
static char owner[MS_ID_LEN], org_id[MS_ID_LEN], now[MS_TIME_LEN];
static uint64_t rng = 0x2545f4914f6cdd1dULL;
static int64_t rows_in_tx;
static dims_media_reg reg;
static FILE *wcsv;
static int64_t wid;
static ms_arena arena;

/* Sorted by code, as they are read back (ORDER BY code). */
static const char *const custom_media[NCUSTOM][2] = {{"inflight_wifi", "In-flight Wi-Fi"},
                                                     {"iptv", "IPTV"},
                                                     {"mobile", "Mobile carrier"},
                                                     {"public_video", "Public video"},
                                                     {"vr_platform", "VR platform"}};
static const char *const langs30[NLANGS] = {
    "en", "fr", "de", "es", "it", "pt",      "pt-BR",   "nl", "sv", "da",
    "nb", "fi", "pl", "cs", "hu", "ro",      "el",      "tr", "ru", "uk",
    "ar", "he", "hi", "ja", "ko", "zh-Hans", "zh-Hant", "th", "id", "vi"};
static const char *const kinds3[3] = {"original", "dubbed", "subtitled"};
/* Codes a main right in often leaves out. */
static const char *const hard_codes[] = {"CN", "RU", "KP", "IR", "SY",
                                         "CU", "BY", "VE", "MM", "AF"};
/* Regional groups licenses are sold by. */
static const char *const regions[] = {
    "DACH", "NORDICS", "BENELUX", "ANZ",           "UK_IE",  "CIS",     "SEA",          "LATAM",
    "MENA", "EUROPE",  "ASIA",    "NORTH_AMERICA", "AFRICA", "OCEANIA", "GREATER_CHINA"};
#define NREGIONS (int)(sizeof regions / sizeof *regions)
/* Media sold together (registry indexes; 15.. are the custom ones). */
static const int families[][4] = {
    {4, -1},      {4, 5, -1}, {5, 8, -1},       {6, 7, -1},  {3, -1},  {3, 4, -1}, {2, 9, -1},
    {2, -1},      {0, -1},    {10, 11, 12, -1}, {1, 13, -1}, {14, -1}, {15, -1},   {16, 3, -1},
    {17, 14, -1}, {18, -1},   {19, -1},         {8, -1},     {6, -1},  {9, -1}};
#define NFAMILIES (int)(sizeof families / sizeof *families)

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)((rng >> 11) % n);
}
static bool chance(int percent)
{
    return (int)rnd(100) < percent;
}

static int tick(void)
{
    if (++rows_in_tx < 50000) return 0;
    rows_in_tx = 0;
    return db_commit(conn, &e) || db_begin(conn, DB_TX_WRITE, &e) ? -1 : 0;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static av_day civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}
/* The first of the month `months` months after January 1970. */
static av_day month_day(int months)
{
    return civil(1970 + months / 12, 1 + months % 12, 1);
}
static int day_month(av_day d) /* months since January 1970 of the month holding day d */
{
    char s[11];
    dims_date_fmt(d, s);
    return (atoi(s) - 1970) * 12 + atoi(s + 5) - 1;
}

/* ---- A window being generated: its sets, for the conflict checks between them. ---- */
typedef struct gwin {
    av_terrs terrs;
    av_media media;
    av_day start, end;                        /* [start, end); AV_OPEN_* */
    uint8_t excl;                             /* holdbacks: AV_EXCLUSIVE (they block everything) */
    char *terr_json, *media_json, *lang_json; /* stored forms (malloc'd; rights in only) */
} gwin;

static bool terrs_meet(const av_terrs *a, const av_terrs *b)
{
    for (int i = 0; i < AV_NTERR / 64; i++)
        if (a->w[i] & b->w[i]) return true;
    return false;
}
static bool overlaps(const gwin *a, const gwin *b)
{
    return a->start < b->end && b->start < a->end && (a->media & b->media) &&
           terrs_meet(&a->terrs, &b->terrs);
}

/* The windows a new signed license or holdback of the current title must not meet. */
static gwin *blocking;
static int nblocking, capblocking;
static bool conflicts(const gwin *c)
{
    for (int i = 0; i < nblocking; i++)
        if ((c->excl > 0 || blocking[i].excl > 0) && overlaps(c, &blocking[i])) return true;
    return false;
}
static void block(const gwin *g)
{
    if (nblocking == capblocking) {
        capblocking = capblocking ? capblocking * 2 : 256;
        blocking = realloc(blocking, (size_t)capblocking * sizeof *blocking);
        if (!blocking) abort();
    }
    blocking[nblocking++] = *g;
}

/* ---- Dimensions through dims.h: the stored text and the set. ---- */

static char *dump(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s) abort();
    return s;
}
/* Territories {"include": inc, "exclude": exc} (steals both) -> set + stored text. */
static char *terr_dims(json_t *inc, json_t *exc, av_terrs *set)
{
    json_t *expr = json_pack("{s:o,s:o}", "include", inc, "exclude", exc), *canon = NULL;
    if (dims_terr_parse(expr, set, &canon, &e)) {
        json_decref(expr);
        return NULL;
    }
    json_decref(expr);
    return dump(canon);
}
static char *media_dims(json_t *arr, av_media *set)
{
    json_t *canon = NULL;
    int rc = dims_media_parse(arr, &reg, set, &canon, &e);
    json_decref(arr);
    return rc ? NULL : dump(canon);
}
static char *media_of(av_media m, av_media *set)
{
    json_t *arr = json_array();
    for (int i = 0; i < reg.n; i++)
        if (m >> i & 1) json_array_append_new(arr, json_string(reg.codes[i]));
    return media_dims(arr, set);
}
static char *langs_dims(json_t *arr)
{
    json_t *canon = NULL;
    av_lang *l;
    int n;
    int rc = dims_langs_parse(arr, false, &arena, &l, &n, &canon, &e);
    json_decref(arr);
    ms_arena_reset(&arena);
    return rc ? NULL : dump(canon);
}
static int random_in(const av_terrs *s)
{
    for (int k = 0; k < 2000; k++) {
        int i = (int)rnd((uint32_t)dims_terr_count());
        if (av_terrs_has(s, i)) return i;
    }
    for (int i = 0; i < dims_terr_count(); i++)
        if (av_terrs_has(s, i)) return i;
    return -1;
}
static void terrs_minus(av_terrs *out, const av_terrs *a, const av_terrs *b)
{
    for (int i = 0; i < AV_NTERR / 64; i++)
        out->w[i] = a->w[i] & ~b->w[i];
}
static json_t *random_langs(void)
{
    json_t *arr = json_array();
    int n = 1 + (int)rnd(2), first = (int)rnd(NLANGS);
    for (int i = 0; i < n; i++) {
        json_t *kinds = json_array();
        int k = 1 + (int)rnd(6); /* a non-empty subset of dubbed, subtitled, original */
        for (int b = 0; b < 3; b++)
            if (k >> b & 1) json_array_append_new(kinds, json_string(kinds3[(b + 1) % 3]));
        json_array_append_new(
            arr, json_pack("{s:s,s:o}", "tag", langs30[(first + i * 7) % NLANGS], "kinds", kinds));
    }
    return arr;
}

/* ---- Rows. ---- */

static void term_text(const gwin *g, char start[11], char end[11], const char **endp)
{
    if (g->start == AV_OPEN_START)
        start[0] = '\0';
    else
        dims_date_fmt(g->start, start);
    if (g->end == AV_OPEN_END) {
        *endp = NULL;
    } else {
        dims_date_fmt(g->end - 1, end);
        *endp = end;
    }
}

static void csv_str(const char *s)
{
    fputc('"', wcsv);
    for (; *s; s++) {
        if (*s == '"') fputc('"', wcsv);
        fputc(*s, wcsv);
    }
    fputc('"', wcsv);
}
static void csv_window(const char *row_id, int title_no, int kind, const gwin *g, bool pending,
                       const char *langs)
{
    fprintf(wcsv, "%lld,%s,%d,%d,%d,%c,\"{", (long long)++wid, row_id, title_no, kind, g->excl,
            pending ? 't' : 'f');
    const char *sep = "";
    for (int i = 0; i < reg.n; i++)
        if (g->media >> i & 1) {
            fprintf(wcsv, "%s%d", sep, i);
            sep = ",";
        }
    fputs("}\",\"{", wcsv);
    sep = "";
    for (int i = 0; i < AV_NTERR; i++)
        if (av_terrs_has(&g->terrs, i)) {
            fprintf(wcsv, "%s%d", sep, i);
            sep = ",";
        }
    fputs("}\",", wcsv);
    csv_str(langs);
    char s[11], x[11];
    if (g->start == AV_OPEN_START)
        fputs(",\"(,", wcsv);
    else {
        dims_date_fmt(g->start, s);
        fprintf(wcsv, ",\"[%s,", s);
    }
    if (g->end == AV_OPEN_END)
        fputs(")\"\n", wcsv);
    else {
        dims_date_fmt(g->end, x);
        fprintf(wcsv, "%s)\"\n", x);
    }
}

static int rights_in_write(const char *title_id, int title_no, const gwin *g, const char *source,
                           int n)
{
    char id[MS_ID_LEN], s[11], x[11], ref[32], licensor[64];
    const char *endp;
    ms_uuid7(id);
    term_text(g, s, x, &endp);
    snprintf(ref, sizeof ref, "RI-%05d-%d", title_no, n);
    snprintf(licensor, sizeof licensor, "%s",
             strcmp(source, "acquired") ? "" : "Originator Films Ltd");
    if (db_exec(conn, &e,
                "INSERT INTO rights_in (id, org_id, title_id, source, licensor, contract_ref, "
                "territories, media, languages, start_date, end_date, exclusivity, created_by, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "sssssssssssssss", id, org_id, title_id, source, licensor, ref, g->terr_json,
                g->media_json, g->lang_json, s, endp, dims_excl_name(g->excl), owner, now, now) < 0)
        return -1;
    csv_window(id, title_no, AV_RIGHTS_IN, g, false, g->lang_json);
    return tick();
}

static int holdback_write(const char *title_id, int title_no, const char *deal_id, const gwin *g,
                          const char *terr_json, const char *media_json, const char *reason)
{
    char id[MS_ID_LEN], s[11], x[11];
    const char *endp;
    ms_uuid7(id);
    term_text(g, s, x, &endp);
    if (db_exec(conn, &e,
                "INSERT INTO rights_holdback (id, org_id, title_id, deal_id, territories, media, "
                "start_date, end_date, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?)",
                "sssssssssss", id, org_id, title_id, deal_id, terr_json, media_json,
                s[0] ? s : NULL, endp, reason, owner, now) < 0)
        return -1;
    csv_window(id, title_no, AV_HOLDBACK, g, false, "[]");
    return tick();
}

/* ---- One title. ---- */

typedef struct title_state {
    char id[MS_ID_LEN];
    int no;
    gwin src[4];
    int nsrc;
    int left; /* windows still to write */
    int deals;
} title_state;

static int64_t deals_total, deal_rows_total, rights_in_total, holdbacks_total;

/* A right in as generated: fills g (with its stored texts) from the pieces. */
static int src_set(gwin *g, json_t *inc, json_t *exc, json_t *media, json_t *langs, av_day start,
                   av_day end, int excl)
{
    memset(g, 0, sizeof *g);
    g->terr_json = terr_dims(inc, exc, &g->terrs);
    g->media_json = media_dims(media, &g->media);
    g->lang_json = langs_dims(langs);
    g->start = start;
    g->end = end;
    g->excl = (uint8_t)excl;
    return g->terr_json && g->media_json && g->lang_json ? 0 : -1;
}

static int rights_in_make(title_state *t, int count)
{
    /* The main right in. */
    json_t *inc = json_array(), *exc = json_array(), *media = json_array();
    int r = (int)rnd(100);
    if (r < 70) {
        json_array_append_new(inc, json_string("WORLD"));
        int k = (int)rnd(5), first = (int)rnd(10);
        for (int i = 0; i < k; i++)
            json_array_append_new(exc, json_string(hard_codes[(first + i * 3) % 10]));
    } else if (r < 80) {
        json_array_append_new(inc, json_string("WORLD"));
        json_array_append_new(exc, json_string("GREATER_CHINA"));
        if (chance(50)) json_array_append_new(exc, json_string("KP"));
    } else if (r < 90) {
        static const char *const pairs[][2] = {
            {"EUROPE", "MENA"}, {"NORTH_AMERICA", "LATAM"}, {"EUROPE", NULL}, {"ASIA", "OCEANIA"}};
        int p = (int)rnd(4);
        json_array_append_new(inc, json_string(pairs[p][0]));
        if (pairs[p][1]) json_array_append_new(inc, json_string(pairs[p][1]));
    } else {
        json_array_append_new(inc, json_string("WORLD"));
        json_array_append_new(exc, json_string("NORTH_AMERICA"));
    }
    if (chance(50)) {
        json_array_append_new(media, json_string("all"));
    } else {
        for (int i = 0; i < DIMS_MEDIA_BUILTIN; i++)
            if (!chance(25)) json_array_append_new(media, json_string(reg.codes[i]));
        json_array_append_new(media, json_string("svod"));
        if (chance(50)) json_array_append_new(media, json_string(reg.codes[15 + rnd(NCUSTOM)]));
    }
    int y = 2008 + (int)rnd(13);
    av_day start = civil(y, 1 + (int)rnd(12), 1);
    av_day end = chance(40) ? AV_OPEN_END : civil(y + 15 + (int)rnd(11), 1, 1);
    int excl = chance(85) ? AV_EXCLUSIVE : AV_NON_EXCLUSIVE;
    gwin *main_in = &t->src[0];
    if (src_set(main_in, inc, exc, media, json_array(), start, end, excl)) return -1;
    if (rights_in_write(t->id, t->no, main_in, chance(40) ? "own_production" : "acquired", 1))
        return -1;
    t->nsrc = 1;
    for (int n = 1; n < count; n++) {
        gwin *g = &t->src[t->nsrc];
        int kind = (int)rnd(3);
        if (kind == 0 && main_in->end != AV_OPEN_END) {
            /* A renewal of the main right in. */
            json_t *whole = json_loads(main_in->terr_json, 0, NULL);
            json_t *i2 = json_incref(json_object_get(whole, "include"));
            json_t *e2 = json_incref(json_object_get(whole, "exclude"));
            json_decref(whole);
            if (src_set(g, i2, e2, json_loads(main_in->media_json, 0, NULL), json_array(),
                        main_in->end, chance(50) ? AV_OPEN_END : main_in->end + 3653,
                        main_in->excl))
                return -1;
        } else if (kind <= 1) {
            /* A regional extra, often for one language only. */
            json_t *i2 = json_array(), *m2 = json_array(), *l2 = json_array();
            json_array_append_new(i2, json_string(regions[rnd(NREGIONS)]));
            int nm = 3 + (int)rnd(6), f = (int)rnd(DIMS_MEDIA_BUILTIN);
            for (int k = 0; k < nm; k++)
                json_array_append_new(m2, json_string(reg.codes[(f + k * 2) % DIMS_MEDIA_BUILTIN]));
            if (chance(60))
                json_array_append_new(l2, json_pack("{s:s,s:[s,s]}", "tag", langs30[rnd(NLANGS)],
                                                    "kinds", "dubbed", "subtitled"));
            int ys = 2012 + (int)rnd(14);
            if (src_set(g, i2, json_array(), m2, l2, civil(ys, 1 + (int)rnd(12), 1),
                        civil(ys + 5 + (int)rnd(8), 1, 1),
                        chance(50) ? AV_EXCLUSIVE : AV_NON_EXCLUSIVE))
                return -1;
        } else {
            /* Media the main right in does not hold, everywhere it holds, non-exclusive. */
            av_media lack = ((1ULL << NREGISTRY) - 1) & ~main_in->media;
            if (!lack) lack = 1ULL << (15 + rnd(NCUSTOM));
            av_media pick = 0;
            for (int i = 0; i < NREGISTRY; i++)
                if (lack >> i & 1 && chance(60)) pick |= 1ULL << i;
            if (!pick) pick = lack & -lack;
            memset(g, 0, sizeof *g);
            json_t *whole = json_loads(main_in->terr_json, 0, NULL);
            g->terr_json = terr_dims(json_incref(json_object_get(whole, "include")),
                                     json_incref(json_object_get(whole, "exclude")), &g->terrs);
            json_decref(whole);
            g->media_json = media_of(pick, &g->media);
            g->lang_json = langs_dims(json_array());
            g->start = main_in->start + 365 * (int)rnd(6);
            g->end = chance(50) ? AV_OPEN_END : g->start + 3653;
            g->excl = AV_NON_EXCLUSIVE;
            if (!g->terr_json || !g->media_json || !g->lang_json) return -1;
        }
        if (rights_in_write(t->id, t->no, g, "acquired", n + 1)) return -1;
        t->nsrc++;
    }
    return 0;
}

/* Territories for a license out of `src`: countries, a regional group with the codes not
 * held excluded, or WORLD minus what is not held (non-exclusive only). */
static char *license_terrs(const gwin *src, bool world_ok, av_terrs *set, bool *world)
{
    int r = (int)rnd(100);
    *world = false;
    av_terrs all, missing;
    dims_terr_group("WORLD", &all);
    if (world_ok && r < 8) {
        terrs_minus(&missing, &all, &src->terrs);
        if (dims_terr_popcount(&missing) <= 12) {
            json_t *exc = dims_terr_codes(&missing);
            int extra = (int)rnd(3);
            for (int k = 0; k < extra; k++) {
                int i = random_in(&src->terrs);
                if (i >= 0) json_array_append_new(exc, json_string(dims_terr_code(i)));
            }
            *world = true;
            return terr_dims(json_pack("[s]", "WORLD"), exc, set);
        }
    }
    if (r < 40) {
        const char *g = regions[rnd(NREGIONS)];
        av_terrs gs;
        dims_terr_group(g, &gs);
        terrs_minus(&missing, &gs, &src->terrs);
        int held = dims_terr_popcount(&gs) - dims_terr_popcount(&missing);
        if (held > 0 && dims_terr_popcount(&missing) <= 5)
            return terr_dims(json_pack("[s]", g), dims_terr_codes(&missing), set);
    }
    int k = r % 100 < 60 ? 1 : r % 100 < 85 ? 2 : 3;
    json_t *inc = json_array();
    for (int i = 0; i < k; i++) {
        int c = random_in(&src->terrs);
        if (c >= 0) json_array_append_new(inc, json_string(dims_terr_code(c)));
    }
    return terr_dims(inc, json_array(), set);
}

static av_media license_media(const gwin *src)
{
    for (int tries = 0; tries < 4; tries++) {
        const int *f = families[rnd(NFAMILIES)];
        av_media m = 0;
        for (int i = 0; f[i] >= 0; i++)
            m |= 1ULL << f[i];
        m &= src->media;
        if (m) return m;
    }
    for (;;) {
        int i = (int)rnd(NREGISTRY);
        if (src->media >> i & 1) return 1ULL << i;
    }
}

typedef struct lic {
    gwin g;
    char *terr_json, *media_json, *lang_json;
} lic;

static void lic_free(lic *l)
{
    free(l->terr_json);
    free(l->media_json);
    free(l->lang_json);
    memset(l, 0, sizeof *l);
}

/* A candidate license row from one of the title's rights in; false when none fits. */
static bool license_make(const title_state *t, int excl_wanted, bool open_ok, lic *out)
{
    const gwin *src = &t->src[chance(75) ? 0 : rnd((uint32_t)t->nsrc)];
    int excl = excl_wanted;
    if (excl > src->excl) excl = src->excl;
    av_day s0 = src->start, e0 = src->end == AV_OPEN_END ? GEN_HORIZON : src->end;
    int lo = day_month(s0 > civil(2012, 1, 1) ? s0 : civil(2012, 1, 1));
    int hi = day_month(e0 < civil(2038, 1, 1) ? e0 : civil(2038, 1, 1)) - 12;
    if (hi <= lo) return false;
    memset(out, 0, sizeof *out);
    bool world;
    out->terr_json = license_terrs(src, excl == AV_NON_EXCLUSIVE, &out->g.terrs, &world);
    if (!out->terr_json) return false;
    out->media_json = media_of(license_media(src), &out->g.media);
    if (src->lang_json[1] != ']')
        out->lang_json = strdup(src->lang_json);
    else
        out->lang_json = langs_dims(chance(20) ? random_langs() : json_array());
    int m = lo + (int)rnd((uint32_t)(hi - lo));
    out->g.start = month_day(m);
    out->g.end = month_day(m + 12 + (int)rnd(73));
    if (out->g.end > src->end) out->g.end = src->end;
    if (open_ok && src->end == AV_OPEN_END && excl == AV_NON_EXCLUSIVE && chance(4))
        out->g.end = AV_OPEN_END;
    out->g.excl = (uint8_t)excl;
    if (!out->media_json || !out->lang_json || out->g.end <= out->g.start) {
        lic_free(out);
        return false;
    }
    return true;
}

static const char *const licensees[] = {
    "Nordic Screens AB", "Canal Horizon SA",     "StreamAsia Pte Ltd",  "Pampas Media SRL",
    "Kiwi Vision Ltd",   "Rheinfilm GmbH",       "Atlas Broadcasting",  "Sakura Channel KK",
    "Maple Pay TV Inc",  "Iberia Contenidos SL", "Danube Media Kft",    "Levant Screens FZ",
    "Sahara Vision Plc", "Baltic Streams UAB",   "Andes Televisión SA", "Outback Cinemas Pty",
    "Pacific AVOD Corp", "Lumière Diffusion",    "Hanse TV GmbH",       "Bosporus Yayın AS"};
#define NLICENSEES (int)(sizeof licensees / sizeof *licensees)

/* A deal of up to `max_rows` rows on the title; writes what fits. Returns windows written. */
static int deal_make(title_state *t, int max_rows)
{
    int r = (int)rnd(100);
    const char *status = r < 45   ? "active"
                         : r < 80 ? "signed"
                         : r < 88 ? "draft"
                         : r < 94 ? "offered"
                                  : "negotiating";
    bool pending = r >= 80;
    int rows = 1 + (int)rnd(6);
    if (rows > max_rows) rows = max_rows;
    int xr = (int)rnd(100);
    int excl_wanted = xr < 42 ? AV_EXCLUSIVE : xr < 47 ? AV_SOLE : AV_NON_EXCLUSIVE;
    lic made[6];
    int nmade = 0;
    for (int i = 0; i < rows; i++) {
        lic l;
        bool ok = false;
        for (int attempt = 0; attempt < 8 && !ok; attempt++) {
            int want = attempt < 4 ? excl_wanted : AV_NON_EXCLUSIVE;
            if (!license_make(t, want, true, &l)) continue;
            if (pending || !conflicts(&l.g)) {
                ok = true;
                /* rows of one deal must not conflict with each other either */
                for (int k = 0; k < nmade && ok; k++)
                    if (!pending && (l.g.excl || made[k].g.excl) && overlaps(&l.g, &made[k].g))
                        ok = false;
            }
            if (!ok) lic_free(&l);
        }
        if (ok) made[nmade++] = l;
    }
    if (!nmade) return 0;
    char deal_id[MS_ID_LEN], reference[32], signed_at[MS_TIME_LEN];
    ms_uuid7(deal_id);
    snprintf(reference, sizeof reference, "BN-%05d-%03d", t->no, ++t->deals);
    snprintf(signed_at, sizeof signed_at, "%s", now);
    int64_t fee = 5000 + (int64_t)rnd(500) * 1000;
    if (db_exec(conn, &e,
                "INSERT INTO rights_deal (id, org_id, licensee_name, reference, status, currency, "
                "fee, minimum_guarantee, signed_at, signed_by, created_by, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, 'USD', ?, ?, ?, ?, ?, ?, ?)",
                "sssssIIsssss", deal_id, org_id, licensees[rnd(NLICENSEES)], reference, status,
                fee * 100, fee * 50, pending ? NULL : signed_at, pending ? NULL : owner, owner, now,
                now) < 0 ||
        tick())
        return -1;
    deals_total++;
    int written = 0;
    for (int i = 0; i < nmade && t->left > 0; i++) {
        lic *l = &made[i];
        char id[MS_ID_LEN], s[11], x[11];
        const char *endp;
        ms_uuid7(id);
        term_text(&l->g, s, x, &endp);
        bool tv = l->g.media & (1ULL << 2 | 1ULL << 3);
        char runs[16];
        snprintf(runs, sizeof runs, "%d", 2 + (int)rnd(6)); /* runs only mean something on TV */
        if (db_exec(conn, &e,
                    "INSERT INTO rights_deal_right (id, deal_id, org_id, title_id, territories, "
                    "media, languages, start_date, end_date, exclusivity, runs, position) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), ?)",
                    "sssssssssssi", id, deal_id, org_id, t->id, l->terr_json, l->media_json,
                    l->lang_json, s, endp, dims_excl_name(l->g.excl), tv ? runs : NULL, i) < 0)
            return -1;
        csv_window(id, t->no, AV_LICENSE, &l->g, pending, l->lang_json);
        if (tick()) return -1;
        if (!pending) block(&l->g);
        written++;
        deal_rows_total++;
        t->left--;
        /* An exclusive TV license keeps the streaming media dark in its territories. */
        if (!pending && l->g.excl == AV_EXCLUSIVE && tv && t->left > 0 && chance(35)) {
            gwin h = {
                .terrs = l->g.terrs, .start = l->g.start, .end = l->g.end, .excl = AV_EXCLUSIVE};
            char *mj = media_of(1ULL << 4 | 1ULL << 5 | 1ULL << 8, &h.media);
            if (!mj) return -1;
            if (!conflicts(&h)) {
                if (holdback_write(t->id, t->no, deal_id, &h, l->terr_json, mj,
                                   "Pay TV exclusivity: no streaming during the window"))
                    return -1;
                block(&h);
                holdbacks_total++;
                written++;
                t->left--;
            }
            free(mj);
        }
    }
    for (int i = 0; i < nmade; i++)
        lic_free(&made[i]);
    return written;
}

/* Media chronology kept by hand: streaming media dark in some territories until a date. */
static int manual_holdback(title_state *t)
{
    const gwin *src = &t->src[0];
    for (int attempt = 0; attempt < 8; attempt++) {
        gwin h = {.excl = AV_EXCLUSIVE};
        char *tj;
        if (chance(50)) {
            static const char *const one[] = {"FR", "DE", "IT", "ES", "JP", "KR", "BR", "IN"};
            const char *c = one[rnd(8)];
            tj = terr_dims(json_pack("[s]", c), json_array(), &h.terrs);
        } else {
            tj = terr_dims(json_pack("[s]", regions[rnd(NREGIONS)]), json_array(), &h.terrs);
        }
        if (!tj) return -1;
        static const int sets[][3] = {{4, -1}, {4, 5, 8}, {6, 7, -1}, {2, 9, -1}, {14, -1}};
        const int *ms = sets[rnd(5)];
        av_media m = 0;
        for (int i = 0; i < 3 && ms[i] >= 0; i++)
            m |= 1ULL << ms[i];
        char *mj = media_of(m, &h.media);
        if (!mj) return -1;
        h.start = chance(50) ? AV_OPEN_START : src->start;
        h.end = src->start + 120 + (int)rnd(3 * 365);
        if (!conflicts(&h) && terrs_meet(&h.terrs, &src->terrs)) {
            int rc = holdback_write(t->id, t->no, NULL, &h, tj, mj, "Media chronology");
            free(tj);
            free(mj);
            if (rc) return -1;
            block(&h);
            holdbacks_total++;
            t->left--;
            return 0;
        }
        free(tj);
        free(mj);
    }
    return 0;
}

static int title_make(int no, int windows)
{
    static const char *const kinds[] = {"feature", "feature",     "feature", "feature",
                                        "feature", "documentary", "series",  "micro_drama",
                                        "short",   "feature"};
    static const char *const genres[] = {"drama", "comedy",  "thriller", "documentary", "animation",
                                         "crime", "romance", "sci-fi",   "family",      "horror"};
    title_state t = {.no = no, .left = windows};
    ms_uuid7(t.id);
    char name[96], synopsis[128], gj[64];
    snprintf(name, sizeof name, "Bench Title %05d", no);
    snprintf(synopsis, sizeof synopsis, "Synthetic title %d of the avails benchmark.", no);
    snprintf(gj, sizeof gj, "[\"%s\"]", genres[rnd(10)]);
    const char *kind = kinds[rnd(10)];
    if (db_exec(conn, &e,
                "INSERT INTO rights_title (id, org_id, kind, title, synopsis, original_language, "
                "country_of_origin, year, runtime_min, genres, created_by, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "sssssssiissss", t.id, org_id, kind, name, synopsis, langs30[rnd(NLANGS)],
                dims_terr_code((int)rnd((uint32_t)dims_terr_count())), 1960 + (int)rnd(66),
                strcmp(kind, "short") ? 80 + (int)rnd(70) : 5 + (int)rnd(20), gj, owner, now,
                now) < 0 ||
        tick())
        return -1;
    /* the revision stamp rights_title_changed leaves */
    if (db_exec(conn, &e, "INSERT INTO rights_title_rev (org_id, title_id, rev) VALUES (?, ?, 1)",
                "ss", org_id, t.id) < 0 ||
        tick())
        return -1;
    nblocking = 0;
    int nin = 2 + (int)rnd(3);
    if (rights_in_make(&t, nin)) return -1;
    rights_in_total += nin;
    t.left -= nin;
    int manual = windows / 40 + 1;
    for (int i = 0; i < manual && t.left > 0; i++)
        if (manual_holdback(&t)) return -1;
    int stuck = 0;
    while (t.left > 0) {
        int w = deal_make(&t, t.left);
        if (w < 0) return -1;
        stuck = w ? 0 : stuck + 1;
        if (stuck > 200) {
            snprintf(e.detail, sizeof e.detail, "title %d: no license fits any more", no);
            return -1;
        }
    }
    for (int i = 0; i < t.nsrc; i++) {
        free(t.src[i].terr_json);
        free(t.src[i].media_json);
        free(t.src[i].lang_json);
    }
    return 0;
}

static FILE *csv_open(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) snprintf(e.detail, sizeof e.detail, "cannot write %.300s", path);
    return f;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_avails_seed DATA_DIR OWNER_EMAIL CSV_DIR\n");
        return 2;
    }
    ms_config cfg;
    ms_error_clear(&e);
    ms_arena_init(&arena, 16384);
    const char *flags[] = {"data", argv[1], "log_level", "warn", NULL};
    if (ms_config_load(&cfg, flags, environ, &e)) goto fail;
    db *d;
    if (app_store_open(&cfg, 1, &d, &e)) goto fail;
    conn = db_acquire(d);
    ms_now_str(now);
    if (user_find_by_email(conn, argv[2], owner, &e)) goto fail;
    if (!(wcsv = csv_open(argv[3], "windows.csv"))) goto fail;

    /* The skewed number of windows per title, summing to exactly WINDOWS: weights 1/sqrt(u)
     * (a heavy tail), scaled, capped at MAX_PER, the rounding spread over the first titles. */
    static int per[TITLES];
    static double weight[TITLES];
    double sum = 0;
    for (int i = 0; i < TITLES; i++) {
        double u = (rnd(1000000) + 1) / 1e6;
        weight[i] = 1.0 / sqrt(u);
        sum += weight[i];
    }
    int64_t total = 0;
    for (int i = 0; i < TITLES; i++) {
        per[i] = (int)(weight[i] / sum * WINDOWS);
        if (per[i] > MAX_PER) per[i] = MAX_PER;
        if (per[i] < 12) per[i] = 12;
        total += per[i];
    }
    for (int i = 0; total != WINDOWS; i = (i + 1) % TITLES) {
        if (total < WINDOWS && per[i] < MAX_PER) {
            per[i]++;
            total++;
        } else if (total > WINDOWS && per[i] > 12) {
            per[i]--;
            total--;
        }
    }

    if (db_begin(conn, DB_TX_WRITE, &e)) goto fail;
    json_t *org;
    if (org_create(conn, owner, "Bench Rights", NULL, "distributor", NULL, &org, &e)) goto fail;
    snprintf(org_id, sizeof org_id, "%s", json_string_value(json_object_get(org, "id")));
    json_decref(org);
    if (db_exec(conn, &e, "INSERT INTO rights_revision (org_id, revision) VALUES (?, 1)", "s",
                org_id) < 0)
        goto fail;
    dims_media_reg_builtin(&reg);
    for (int i = 0; i < NCUSTOM; i++) {
        if (db_exec(conn, &e,
                    "INSERT INTO rights_media (org_id, code, name, created_at) VALUES (?, ?, ?, ?)",
                    "ssss", org_id, custom_media[i][0], custom_media[i][1], now) < 0)
            goto fail;
        reg.codes[reg.n++] = custom_media[i][0];
    }
    FILE *tcsv = csv_open(argv[3], "titles.csv");
    if (!tcsv) goto fail;
    for (int i = 0; i < TITLES; i++) {
        if (title_make(i + 1, per[i])) goto fail;
        if ((i + 1) % 1000 == 0) fprintf(stderr, "bench_avails_seed: %d titles\n", i + 1);
    }
    if (db_commit(conn, &e)) goto fail;
    /* titles.csv from the database: title_no is the position in id order, as the engine's
     * benchmark numbers them. */
    {
        db_stmt *st;
        int rc, no = 0;
        if (db_query(conn, &st, &e, "SELECT id FROM rights_title WHERE org_id = ? ORDER BY id", "s",
                     org_id))
            goto fail;
        while ((rc = db_step(st, &e)) == DB_ROW)
            fprintf(tcsv, "%d,%s\n", ++no, db_col_text(st, 0));
        db_done(st);
        if (rc < 0) goto fail;
    }
    FILE *gcsv = csv_open(argv[3], "groups.csv");
    if (!gcsv) goto fail;
    for (int g = 0, n = 0; dims_terr_groups[g]; g++) {
        if (!strcmp(dims_terr_groups[g], "WORLD")) continue;
        av_terrs s;
        dims_terr_group(dims_terr_groups[g], &s);
        fprintf(gcsv, "%d,%s,\"{", n++, dims_terr_groups[g]);
        const char *sep = "";
        for (int i = 0; i < AV_NTERR; i++)
            if (av_terrs_has(&s, i)) {
                fprintf(gcsv, "%s%d", sep, i);
                sep = ",";
            }
        fputs("}\"\n", gcsv);
    }
    /* For the HTTP clients: territory codes in index order, media codes in registry order. */
    FILE *ccsv = csv_open(argv[3], "codes.txt"), *mcsv = csv_open(argv[3], "media.txt");
    if (!ccsv || !mcsv) goto fail;
    for (int i = 0; i < dims_terr_count(); i++)
        fprintf(ccsv, "%s\n", dims_terr_code(i));
    for (int i = 0; i < reg.n; i++)
        fprintf(mcsv, "%s\n", reg.codes[i]);
    if (fclose(wcsv) || fclose(tcsv) || fclose(gcsv) || fclose(ccsv) || fclose(mcsv)) {
        snprintf(e.detail, sizeof e.detail, "writing the CSV files failed");
        goto fail;
    }
    db_release(conn);
    db_close(d);
    printf("org=%s\n", org_id);
    fprintf(stderr,
            "bench_avails_seed: %d titles, %lld windows: %lld rights in, %lld license rows in "
            "%lld deals, %lld holdbacks\n",
            TITLES, (long long)wid, (long long)rights_in_total, (long long)deal_rows_total,
            (long long)deals_total, (long long)holdbacks_total);
    return wid == WINDOWS ? 0 : 1;
fail:
    fprintf(stderr, "bench_avails_seed: %s\n", e.detail);
    return 1;
}
