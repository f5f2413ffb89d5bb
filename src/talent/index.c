/* index.c: the talent attribute index - every listed profile's searchable attributes in
 * memory, compact, so that filters, facets, ranking and matching over a million profiles run
 * in C in a few milliseconds. The text index (store/db_text.c) only says which profiles
 * contain the words of a query; everything else is decided here.
 *
 * Design. One index per server process, shared by all requests: a read-write lock guards it
 * (requests read under the read lock; a reload takes the write lock only to apply what it
 * loaded). Entries are kept in seq order in one array; their variable parts (crafts,
 * languages, organizations of verified credits, credits per craft, unavailable days, folded
 * names and skills) live in one pool of 32-bit words, and strings that repeat (accounts,
 * organizations, crafts, languages, countries, cities, currencies) are interned to small
 * numbers. An entry is about 80 bytes plus its lists: a million profiles take a few hundred
 * megabytes at most and load in seconds (about 15 s for a million on one core, JSON parsing
 * mostly; talent_index_preload does it before the first search).
 *
 * Speed. A text query's rows are found through a seq -> entry map (seqs are dense), with
 * the memory for rows a little ahead prefetched; a craft filter and matching visit only the
 * entries of that craft's bitmap; a scan over a large index runs in two halves on two
 * threads. At a million profiles a name search costs about 8 ms of CPU, a faceted search
 * (craft, language, window) about 17 ms and a match about 30-40 ms, split over two cores.
 *
 * Freshness works like rights/cache.c: every talent write raises talent_revision.rev and
 * stamps the profile's rev (talent_touch); a request reads the revision (one query, in its
 * own transaction) and, when it is ahead of the index's, reloads the profiles stamped since.
 * The revision is read before the rows, in the same snapshot, so the rows are at least as new
 * as the revision recorded: a newer row only costs one more reload later, never a stale
 * answer. Erased and unlisted profiles stay as dead entries (skipped) until the next full
 * load; a pool that is mostly garbage is compacted.
 *
 * Who sees what: entries keep each field's visibility; the searcher's level for an entry is
 * worked out per request from the searcher's account and organizations (the same rule as
 * access.c's talent_viewer_for), and a field the searcher may not read never matches a
 * filter, counts in a facet or adds a point.
 *
 * Not here: HTTP (search.c, match.c), the text index's SQL (store/db_text.c). */
#include "talent/talent_internal.h"

#include "core/textgram.h"
#include "production/production.h"
#include "store/db_text.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Interned strings. ---- */

typedef struct strtab {
    char **s;     /* by id; id 0 is "none" */
    char **shown; /* by id: how the value was first written, when it differs (cities) */
    uint32_t n, cap, ncap_shown;
    uint32_t *slot; /* open addressing: id, 0 empty */
    uint32_t nslot;
    ms_arena a;
} strtab;

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static uint32_t st_find(const strtab *t, const char *s)
{
    if (!s || !*s || !t->nslot) return 0;
    for (uint32_t i = str_hash(s) & (t->nslot - 1);; i = (i + 1) & (t->nslot - 1)) {
        uint32_t id = t->slot[i];
        if (!id) return 0;
        if (!strcmp(t->s[id], s)) return id;
    }
}

static bool st_grow(strtab *t)
{
    uint32_t ns = t->nslot ? t->nslot * 2 : 256;
    uint32_t *slot = calloc(ns, sizeof *slot);
    if (!slot) return false;
    for (uint32_t id = 1; id < t->n; id++) {
        uint32_t i = str_hash(t->s[id]) & (ns - 1);
        while (slot[i])
            i = (i + 1) & (ns - 1);
        slot[i] = id;
    }
    free(t->slot);
    t->slot = slot;
    t->nslot = ns;
    return true;
}

static uint32_t st_add(strtab *t, const char *s)
{
    if (!s || !*s) return 0;
    uint32_t id = st_find(t, s);
    if (id) return id;
    if (!t->n) {
        ms_arena_init(&t->a, 64 * 1024);
        t->n = 1;
    }
    if ((t->n + 1) * 2 > t->nslot && !st_grow(t)) return 0;
    if (t->n >= t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 256;
        char **v = realloc(t->s, cap * sizeof *v);
        if (!v) return 0;
        t->s = v;
        t->cap = cap;
        t->s[0] = "";
    }
    char *copy = ms_arena_strdup(&t->a, s);
    if (!copy) return 0;
    id = t->n++;
    t->s[id] = copy;
    uint32_t i = str_hash(s) & (t->nslot - 1);
    while (t->slot[i])
        i = (i + 1) & (t->nslot - 1);
    t->slot[i] = id;
    return id;
}

/* Remember how value `id` was first written (facets show it; filters use the key). */
static void st_show(strtab *t, uint32_t id, const char *shown)
{
    if (!id || !shown || !*shown || !strcmp(shown, t->s[id])) return;
    if (id >= t->ncap_shown) {
        uint32_t cap = t->cap;
        char **v = realloc(t->shown, cap * sizeof *v);
        if (!v) return;
        memset(v + t->ncap_shown, 0, (cap - t->ncap_shown) * sizeof *v);
        t->shown = v;
        t->ncap_shown = cap;
    }
    if (!t->shown[id]) t->shown[id] = ms_arena_strdup(&t->a, shown);
}

static const char *st_shown(const strtab *t, uint32_t id)
{
    return id < t->ncap_shown && t->shown[id] ? t->shown[id] : t->s[id];
}

static void st_free(strtab *t)
{
    free(t->s);
    free(t->shown);
    free(t->slot);
    if (t->n) ms_arena_free(&t->a);
    memset(t, 0, sizeof *t);
}

/* ---- Entries. ---- */

#define MAX_LIST 255

typedef struct tix_entry {
    int64_t seq;
    int64_t rate_day; /* minor units per day; -1: none */
    uint32_t vis;     /* 2 bits per talent_field */
    uint32_t user;    /* interned account, 0: unclaimed */
    uint32_t steward; /* interned organization, 0: none */
    uint32_t country, city;
    uint32_t off; /* its lists in the pool */
    uint16_t currency;
    uint32_t filled;    /* bit 2f set: field f has content (2-bit lanes, like vis) */
    uint16_t craft4[4]; /* the first crafts, also in the pool: the craft filter reads these */
    uint16_t credits, verified, last_year;
    uint16_t names_len, skills_len;
    uint8_t travel; /* 0 local, 1 regional, 2 national, 3 international */
    uint8_t ncrafts, nlangs, norgs, ncc, nranges;
    uint8_t dead;
} tix_entry;

enum { S_USERS, S_ORGS, S_CRAFTS, S_LANGS, S_COUNTRIES, S_CITIES, S_CURRENCIES, S_COUNT };

typedef struct tix {
    pthread_rwlock_t lock;
    pthread_mutex_t load;
    bool loaded;
    int64_t rev;
    tix_entry *e;
    size_t n, cap, live;
    uint32_t *pool;
    size_t pn, pcap, waste;
    /* pos[seq] = index + 1 of seq's entry (0: none); seqs are dense, so this is small. Stale
     * after an entry went in before others (rare): then rebuilt before the lock is let go. */
    uint32_t *pos;
    size_t npos;
    bool pos_stale;
    /* For each craft id, a bitmap of the entries (by index) that list it: a scan for a craft
     * visits those only. cb_ok false (out of memory) falls back to scanning every entry. */
    uint64_t **cb;
    uint32_t ncb;
    size_t cbw; /* words per bitmap */
    bool cb_stale, cb_ok;
    strtab st[S_COUNT];
} tix;

static tix ix = {.lock = PTHREAD_RWLOCK_INITIALIZER, .load = PTHREAD_MUTEX_INITIALIZER};

/* Hot tokens (below): bitmaps of the commonest tokens, kept by the reloads. */
static int hot_refresh(db_conn *c, int64_t since, ms_error *err);
static int hot_preload(db_conn *c, ms_error *err);
static void hot_forget(void);

/* An entry's lists, in this order in the pool. */
static const uint32_t *e_crafts(const tix_entry *e)
{
    return ix.pool + e->off;
}
static const uint32_t *e_langs(const tix_entry *e) /* id << 3 | level */
{
    return e_crafts(e) + e->ncrafts;
}
static const uint32_t *e_orgs(const tix_entry *e)
{
    return e_langs(e) + e->nlangs;
}
static const uint32_t *e_cc(const tix_entry *e) /* craft, n | verified << 16, last year */
{
    return e_orgs(e) + e->norgs;
}
static const int32_t *e_ranges(const tix_entry *e) /* first and last day */
{
    return (const int32_t *)(e_cc(e) + 3 * e->ncc);
}
static const char *e_names(const tix_entry *e) /* folded names, '\n' between */
{
    return (const char *)(e_ranges(e) + 2 * e->nranges);
}
static const char *e_skills(const tix_entry *e)
{
    return e_names(e) + ((e->names_len + 4u) & ~3u);
}
static size_t e_words(const tix_entry *e)
{
    return e->ncrafts + e->nlangs + e->norgs + 3u * e->ncc + 2u * e->nranges +
           ((e->names_len + 4u) >> 2) + ((e->skills_len + 4u) >> 2);
}

static talent_vis e_vis(const tix_entry *e, talent_field f)
{
    return (talent_vis)((e->vis >> (2 * f)) & 3);
}

/* ---- Days. ---- */

bool talent_day_parse(const char *s, int32_t *day)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        s[4] != '-' || s[7] != '-')
        return false;
    int64_t days;
    if (!ms_days_from_civil(y, m, d, &days)) return false;
    *day = (int32_t)days;
    return true;
}

int talent_lang_level(const char *s)
{
    static const char *const names[] = {"basic", "conversational", "professional", "fluent",
                                        "native"};
    for (int i = 0; s && i < 5; i++)
        if (!strcmp(s, names[i])) return i + 1;
    return 0;
}

static int travel_of(const char *s)
{
    static const char *const names[] = {"local", "regional", "national", "international"};
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, names[i])) return i;
    return 2;
}

/* ---- Loading rows. ---- */

/* One row made into an entry and its lists, before it goes into the index. */
typedef struct staged {
    tix_entry e;
    uint32_t crafts[MAX_LIST], langs[MAX_LIST], orgs[MAX_LIST], cc[3 * MAX_LIST];
    int32_t ranges[2 * MAX_LIST];
    ms_buf names, skills;
    char *craft_codes[MAX_LIST]; /* to intern, under the write lock */
    char *lang_tags[MAX_LIST], *lang_shown[MAX_LIST], *org_ids[MAX_LIST], *cc_codes[MAX_LIST];
    char user[MS_ID_LEN], steward[MS_ID_LEN], country[8], city[256], city_shown[256], currency[8];
} staged;

static void fold_into(ms_buf *b, const char *s)
{
    if (!s || !*s) return;
    if (b->len) ms_buf_putc(b, '\n');
    size_t at = b->len;
    ms_error e;
    if (tg_fold(s, strlen(s), b, &e) || b->len == at) {
        b->len = at ? at - 1 : 0; /* nothing of it: take the separator back */
        if (b->data) b->data[b->len] = 0;
    } else if (b->data[at] == ' ') {
        memmove(b->data + at, b->data + at + 1, b->len - at); /* tg_fold's leading space */
        b->len--;
    }
}

static char *dup_lower(ms_arena *a, const char *s)
{
    char *c = ms_arena_strdup(a, s ? s : "");
    for (char *p = c; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return c;
}

#define ROW_COLS                                                                                   \
    "p.seq, p.user_id, p.steward_org_id, p.visibility, p.listed, CASE WHEN p.deleted_at IS NULL "  \
    "THEN 0 ELSE 1 END, p.primary_name, p.names, p.crafts, p.skills, p.languages, p.country, "     \
    "p.city, p.travel, p.rate_currency, p.rate_day, CASE WHEN p.headline = '' THEN 0 ELSE 1 END, " \
    "CASE WHEN p.bio = '' THEN 0 ELSE 1 END, CASE WHEN p.showreel IS NULL THEN 0 ELSE 1 "          \
    "END, CASE WHEN p.education = '[]' THEN 0 ELSE 1 END, CASE WHEN p.affiliations = '[]' THEN 0 " \
    "ELSE 1 END, d.credits, d.unavailable"

/* Read one row into `s` (strings to intern are left in `a`). */
static void stage_row(db_stmt *st, staged *s, ms_arena *a)
{
    tix_entry *e = &s->e;
    memset(e, 0, sizeof *e);
    e->seq = db_col_int(st, 0);
    e->dead = db_col_int(st, 4) == 0 || db_col_int(st, 5) != 0;
    ms_strlcpy(s->user, db_col_null(st, 1) ? "" : db_col_text(st, 1), sizeof s->user);
    ms_strlcpy(s->steward, db_col_null(st, 2) ? "" : db_col_text(st, 2), sizeof s->steward);
    talent_vis vis[TF_COUNT];
    talent_vis_from_json(db_col_text(st, 3), vis);
    for (int f = 0; f < TF_COUNT; f++)
        e->vis |= (uint32_t)vis[f] << (2 * f);
    s->names.len = s->skills.len = 0;
    if (e->dead) return;

    json_t *j = json_loads(db_col_text(st, 7), 0, NULL), *x;
    size_t i;
    fold_into(&s->names, db_col_text(st, 6));
    json_array_foreach(j, i, x) fold_into(&s->names, ms_json_str(x, "name"));
    json_decref(j);

    j = json_loads(db_col_text(st, 8), 0, NULL);
    json_array_foreach(j, i, x) if (e->ncrafts < MAX_LIST && json_string_value(x))
        s->craft_codes[e->ncrafts++] = ms_arena_strdup(a, json_string_value(x));
    json_decref(j);
    if (e->ncrafts) e->filled |= 1u << (2 * TF_CRAFTS);

    j = json_loads(db_col_text(st, 9), 0, NULL);
    json_array_foreach(j, i, x) fold_into(&s->skills, json_string_value(x));
    if (json_array_size(j)) e->filled |= 1u << (2 * TF_SKILLS);
    json_decref(j);

    j = json_loads(db_col_text(st, 10), 0, NULL);
    json_array_foreach(j, i, x)
    {
        if (e->nlangs == MAX_LIST || !ms_json_str(x, "tag")) continue;
        s->lang_tags[e->nlangs] = dup_lower(a, ms_json_str(x, "tag"));
        s->lang_shown[e->nlangs] = ms_arena_strdup(a, ms_json_str(x, "tag"));
        s->langs[e->nlangs++] = (uint32_t)talent_lang_level(ms_json_str(x, "level"));
    }
    json_decref(j);
    if (e->nlangs) e->filled |= 1u << (2 * TF_LANGUAGES);

    const char *country = db_col_text(st, 11);
    ms_strlcpy(s->country, country ? country : "", sizeof s->country);
    for (char *p = s->country; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    ms_buf city;
    ms_buf_init(&city);
    fold_into(&city, db_col_text(st, 12));
    ms_strlcpy(s->city, city.data ? city.data : "", sizeof s->city);
    ms_strlcpy(s->city_shown, db_col_text(st, 12) ? db_col_text(st, 12) : "", sizeof s->city_shown);
    ms_buf_free(&city);
    if (s->country[0] || s->city[0]) e->filled |= 1u << (2 * TF_LOCATION);
    e->travel = (uint8_t)travel_of(db_col_text(st, 13));
    ms_strlcpy(s->currency, db_col_null(st, 14) ? "" : db_col_text(st, 14), sizeof s->currency);
    e->rate_day = db_col_null(st, 15) ? -1 : db_col_int(st, 15);
    if (s->currency[0]) e->filled |= 1u << (2 * TF_RATES);
    if (db_col_int(st, 16)) e->filled |= 1u << (2 * TF_HEADLINE);
    if (db_col_int(st, 17)) e->filled |= 1u << (2 * TF_BIO);
    if (db_col_int(st, 18)) e->filled |= 1u << (2 * TF_SHOWREEL);
    if (db_col_int(st, 19)) e->filled |= 1u << (2 * TF_EDUCATION);
    if (db_col_int(st, 20)) e->filled |= 1u << (2 * TF_AFFILIATIONS);

    /* The credits' summary (search.c writes it into talent_doc). */
    j = db_col_null(st, 21) ? NULL : json_loads(db_col_text(st, 21), 0, NULL);
    int64_t n = ms_json_int(j, "n", 0), v = ms_json_int(j, "verified", 0);
    e->credits = (uint16_t)(n > 65535 ? 65535 : n < 0 ? 0 : n);
    e->verified = (uint16_t)(v > 65535 ? 65535 : v < 0 ? 0 : v);
    e->last_year = (uint16_t)ms_json_int(j, "last_year", 0);
    if (e->credits) e->filled |= 1u << (2 * TF_CREDITS);
    json_t *orgs = json_object_get(j, "orgs");
    json_array_foreach(orgs, i, x) if (e->norgs < MAX_LIST && json_string_value(x))
        s->org_ids[e->norgs++] = ms_arena_strdup(a, json_string_value(x));
    json_t *crafts = json_object_get(j, "crafts"), *cv = json_object_get(j, "crafts_verified"),
           *cy = json_object_get(j, "crafts_last_year");
    const char *code;
    json_object_foreach(crafts, code, x)
    {
        if (e->ncc == MAX_LIST) break;
        int64_t cn = json_integer_value(x), ver = json_integer_value(json_object_get(cv, code));
        s->cc_codes[e->ncc] = ms_arena_strdup(a, code);
        s->cc[3 * e->ncc + 1] =
            (uint32_t)(cn > 65535 ? 65535 : cn) | (uint32_t)(ver > 65535 ? 65535 : ver) << 16;
        s->cc[3 * e->ncc + 2] = (uint32_t)json_integer_value(json_object_get(cy, code));
        e->ncc++;
    }
    json_decref(j);

    j = db_col_null(st, 22) ? NULL : json_loads(db_col_text(st, 22), 0, NULL);
    json_array_foreach(j, i, x)
    {
        int32_t d0, d1;
        if (e->nranges == MAX_LIST ||
            !talent_day_parse(json_string_value(json_array_get(x, 0)), &d0) ||
            !talent_day_parse(json_string_value(json_array_get(x, 1)), &d1))
            continue;
        s->ranges[2 * e->nranges] = d0;
        s->ranges[2 * e->nranges + 1] = d1;
        e->nranges++;
    }
    json_decref(j);
    if (s->names.len > 60000) s->names.len = 60000;
    if (s->skills.len > 60000) s->skills.len = 60000;
    e->names_len = (uint16_t)s->names.len;
    e->skills_len = (uint16_t)s->skills.len;
}

static bool pool_reserve(size_t words)
{
    if (ix.pn + words <= ix.pcap) return true;
    size_t cap = ix.pcap ? ix.pcap : 1 << 16;
    while (cap < ix.pn + words)
        cap *= 2;
    uint32_t *p = realloc(ix.pool, cap * sizeof *p);
    if (!p) return false;
    ix.pool = p;
    ix.pcap = cap;
    return true;
}

static void put_bytes(uint32_t *dst, const char *s, size_t len)
{
    size_t words = (len + 4) >> 2;
    memset(dst, 0, words * 4);
    if (len) memcpy(dst, s, len);
}

/* Intern a staged row's strings and write its lists to the pool (write lock held). */
static bool commit_staged(staged *s, tix_entry *out)
{
    tix_entry *e = &s->e;
    e->user = st_add(&ix.st[S_USERS], s->user);
    e->steward = st_add(&ix.st[S_ORGS], s->steward);
    if (e->dead) {
        *out = *e;
        return true;
    }
    e->country = st_add(&ix.st[S_COUNTRIES], s->country);
    e->city = st_add(&ix.st[S_CITIES], s->city);
    st_show(&ix.st[S_CITIES], e->city, s->city_shown);
    e->currency = (uint16_t)st_add(&ix.st[S_CURRENCIES], s->currency);
    for (int i = 0; i < e->ncrafts; i++) {
        s->crafts[i] = st_add(&ix.st[S_CRAFTS], s->craft_codes[i]);
        if (i < 4) e->craft4[i] = (uint16_t)s->crafts[i];
    }
    for (int i = 0; i < e->nlangs; i++) {
        uint32_t id = st_add(&ix.st[S_LANGS], s->lang_tags[i]);
        st_show(&ix.st[S_LANGS], id, s->lang_shown[i]); /* "zh-Hans" as written, not folded */
        s->langs[i] = id << 3 | (s->langs[i] & 7);
    }
    for (int i = 0; i < e->norgs; i++)
        s->orgs[i] = st_add(&ix.st[S_ORGS], s->org_ids[i]);
    for (int i = 0; i < e->ncc; i++)
        s->cc[3 * i] = st_add(&ix.st[S_CRAFTS], s->cc_codes[i]);
    size_t words = e_words(e);
    if (!pool_reserve(words)) return false;
    e->off = (uint32_t)ix.pn;
    uint32_t *p = ix.pool + ix.pn;
    memcpy(p, s->crafts, e->ncrafts * 4u);
    p += e->ncrafts;
    memcpy(p, s->langs, e->nlangs * 4u);
    p += e->nlangs;
    memcpy(p, s->orgs, e->norgs * 4u);
    p += e->norgs;
    memcpy(p, s->cc, e->ncc * 12u);
    p += 3 * e->ncc;
    memcpy(p, s->ranges, e->nranges * 8u);
    p += 2 * e->nranges;
    put_bytes(p, s->names.data, e->names_len);
    p += (e->names_len + 4u) >> 2;
    put_bytes(p, s->skills.data, e->skills_len);
    ix.pn += words;
    *out = *e;
    return true;
}

#define POS_MAX ((size_t)1 << 28)

static bool pos_set(int64_t seq, size_t idx)
{
    if (seq < 0 || (size_t)seq >= POS_MAX) return false;
    if ((size_t)seq >= ix.npos) {
        size_t n = ix.npos ? ix.npos : 1024;
        while (n <= (size_t)seq)
            n *= 2;
        uint32_t *p = realloc(ix.pos, n * sizeof *p);
        if (!p) return false;
        memset(p + ix.npos, 0, (n - ix.npos) * sizeof *p);
        ix.pos = p;
        ix.npos = n;
    }
    ix.pos[seq] = (uint32_t)(idx + 1);
    return true;
}

static void pos_rebuild(void)
{
    if (ix.pos) memset(ix.pos, 0, ix.npos * sizeof *ix.pos);
    ix.pos_stale = false;
    for (size_t i = 0; i < ix.n; i++)
        if (!pos_set(ix.e[i].seq, i)) ix.pos_stale = true;
}

static tix_entry *find_entry(int64_t seq)
{
    if (!ix.pos_stale) {
        if (seq < 0 || (size_t)seq >= ix.npos) return NULL;
        uint32_t p = ix.pos[seq];
        return p ? &ix.e[p - 1] : NULL;
    }
    size_t lo = 0, hi = ix.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix.e[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix.n && ix.e[lo].seq == seq ? &ix.e[lo] : NULL;
}

static uint32_t e_craft(const tix_entry *e, int k)
{
    return k < 4 ? e->craft4[k] : e_crafts(e)[k];
}

/* Make the bitmaps cover every entry slot and every craft. */
static bool cb_fit(void)
{
    size_t words = (ix.cap + 63) / 64;
    uint32_t ncrafts = ix.st[S_CRAFTS].n;
    if (ncrafts > ix.ncb) {
        uint64_t **v = realloc(ix.cb, ncrafts * sizeof *v);
        if (!v) return false;
        memset(v + ix.ncb, 0, (ncrafts - ix.ncb) * sizeof *v);
        ix.cb = v;
        ix.ncb = ncrafts;
    }
    if (words > ix.cbw) {
        for (uint32_t c = 0; c < ix.ncb; c++) {
            if (!ix.cb[c]) continue;
            uint64_t *b = realloc(ix.cb[c], words * sizeof *b);
            if (!b) return false;
            memset(b + ix.cbw, 0, (words - ix.cbw) * sizeof *b);
            ix.cb[c] = b;
        }
        ix.cbw = words;
    }
    return true;
}

static void cb_mark(size_t idx, const tix_entry *e, bool on)
{
    if (!ix.cb_ok || ix.cb_stale) return;
    if (!cb_fit()) {
        ix.cb_ok = false;
        return;
    }
    for (int k = 0; k < e->ncrafts; k++) {
        uint32_t c = e_craft(e, k);
        if (!c || c >= ix.ncb) continue;
        if (!ix.cb[c] && !(ix.cb[c] = calloc(ix.cbw ? ix.cbw : 1, sizeof *ix.cb[c]))) {
            ix.cb_ok = false;
            return;
        }
        if (on)
            ix.cb[c][idx / 64] |= (uint64_t)1 << (idx % 64);
        else
            ix.cb[c][idx / 64] &= ~((uint64_t)1 << (idx % 64));
    }
}

static void cb_rebuild(void)
{
    for (uint32_t c = 0; c < ix.ncb; c++)
        if (ix.cb[c]) memset(ix.cb[c], 0, ix.cbw * sizeof *ix.cb[c]);
    ix.cb_ok = true;
    ix.cb_stale = false;
    for (size_t i = 0; i < ix.n; i++)
        if (!ix.e[i].dead) cb_mark(i, &ix.e[i], true);
}

/* Put an entry in its place (write lock held). */
static bool place(const tix_entry *e)
{
    tix_entry *old = find_entry(e->seq);
    if (old) {
        size_t idx = (size_t)(old - ix.e);
        if (!old->dead) {
            ix.waste += e_words(old);
            ix.live--;
            cb_mark(idx, old, false);
        }
        *old = *e;
        if (!e->dead) {
            ix.live++;
            cb_mark(idx, e, true);
        }
        return true;
    }
    if (e->dead) return true;
    if (ix.n == ix.cap) {
        size_t cap = ix.cap ? ix.cap * 2 : 1024;
        tix_entry *v = realloc(ix.e, cap * sizeof *v);
        if (!v) return false;
        ix.e = v;
        ix.cap = cap;
    }
    size_t at = ix.n;
    while (at > 0 && ix.e[at - 1].seq > e->seq)
        at--;
    if (at < ix.n) {
        memmove(ix.e + at + 1, ix.e + at, (ix.n - at) * sizeof *ix.e);
        ix.pos_stale = ix.cb_stale = true; /* indexes after `at` moved */
    }
    ix.e[at] = *e;
    ix.n++;
    ix.live++;
    if (!ix.pos_stale && !pos_set(e->seq, at)) ix.pos_stale = true;
    cb_mark(at, e, true);
    return true;
}

/* Drop dead entries and garbage in the pool (write lock held). */
static void compact(void)
{
    uint32_t *pool = malloc((ix.pn - ix.waste + 1) * sizeof *pool);
    if (!pool) return;
    size_t pn = 0, n = 0;
    for (size_t i = 0; i < ix.n; i++) {
        tix_entry *e = &ix.e[i];
        if (e->dead) continue;
        size_t w = e_words(e);
        memcpy(pool + pn, ix.pool + e->off, w * 4);
        e->off = (uint32_t)pn;
        pn += w;
        ix.e[n++] = *e;
    }
    free(ix.pool);
    ix.pool = pool;
    ix.pn = ix.pcap = pn;
    ix.n = n;
    ix.waste = 0;
    pos_rebuild();
    cb_rebuild();
}

#define LOAD_PAGE 5000

/* Load the profiles stamped after `since` (all when -1) into the index. */
static int load_since(db_conn *c, int64_t since, ms_error *err)
{
    staged *s = calloc(1, sizeof *s);
    tix_entry *batch = malloc(LOAD_PAGE * sizeof *batch);
    staged *rows = NULL;
    ms_arena a;
    ms_arena_init(&a, 64 * 1024);
    int rc = s && batch ? 0 : ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    int64_t after = -1;
    (void)rows;
    while (!rc) {
        db_stmt *st;
        rc = db_query(c, &st, err,
                      "SELECT " ROW_COLS " FROM talent_profile p LEFT JOIN talent_doc d ON d.seq "
                      "= p.seq WHERE p.rev > ? AND p.seq > ? ORDER BY p.seq LIMIT ?",
                      "IIi", since, after, LOAD_PAGE);
        if (rc) break;
        int got = 0;
        bool oom = false;
        /* Parse without the lock; apply each page under it. */
        pthread_rwlock_wrlock(&ix.lock);
        while ((rc = db_step(st, err)) == DB_ROW) {
            ms_arena_reset(&a);
            stage_row(st, s, &a);
            after = s->e.seq;
            got++;
            tix_entry e;
            if (!commit_staged(s, &e) || !place(&e)) {
                oom = true;
                break;
            }
        }
        pthread_rwlock_unlock(&ix.lock);
        db_done(st);
        if (oom) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        if (rc < 0) break;
        rc = 0;
        if (got < LOAD_PAGE) break;
    }
    ms_buf_free(&s->names);
    ms_buf_free(&s->skills);
    free(s);
    free(batch);
    ms_arena_free(&a);
    return rc;
}

/* Is the text index complete? When a copy left it without its marker, rebuild it: in a write
 * transaction of its own, then back to a fresh read snapshot for the request. */
static int ensure_text_index(db_conn *c, ms_error *err)
{
    bool present;
    int rc = db_text_marker(c, "talent_fts", &present, err);
    if (rc || present) return rc;
    bool had_tx = db_in_tx(c);
    if (had_tx) db_rollback(c);
    rc = db_begin(c, DB_TX_WRITE, err);
    if (!rc) rc = db_text_marker(c, "talent_fts", &present, err);
    if (!rc && !present) rc = talent_index_rebuild(c, err);
    if (!rc)
        rc = db_commit(c, err);
    else
        db_rollback(c);
    if (!rc && had_tx) rc = db_begin(c, DB_TX_READ, err);
    return rc;
}

/* Bring the index up to the database's revision; on return the read lock is held. */
static int index_load(db_conn *c, ms_error *err)
{
    db_stmt *st;
    int rc = db_query_row(c, &st, err, "SELECT rev FROM talent_revision WHERE id = 1", "");
    if (rc < 0) return rc;
    int64_t rev = 0;
    if (rc == DB_ROW) {
        rev = db_col_int(st, 0);
        db_done(st);
    }
    pthread_rwlock_rdlock(&ix.lock);
    if (ix.loaded && ix.rev >= rev) return 0;
    bool was_loaded = ix.loaded;
    pthread_rwlock_unlock(&ix.lock);

    pthread_mutex_lock(&ix.load);
    rc = 0;
    if (!was_loaded && ix.loaded && db_in_tx(c)) {
        /* Another thread (the preload at start) loaded the index while this one waited, and
         * may have rebuilt the text index after this request's snapshot was taken: read
         * again from a fresh snapshot, which sees what that rebuild committed. */
        db_rollback(c);
        rc = db_begin(c, DB_TX_READ, err);
    }
    if (!rc && !ix.loaded) {
        rc = ensure_text_index(c, err);
        if (!rc) {
            /* The snapshot may be new after a rebuild: read the revision again. */
            rc = db_query_row(c, &st, err, "SELECT rev FROM talent_revision WHERE id = 1", "");
            if (rc == DB_ROW) {
                rev = db_col_int(st, 0);
                db_done(st);
            }
            rc = rc < 0 ? rc : 0;
        }
    }
    if (!rc && (!ix.loaded || ix.rev < rev)) {
        int64_t since = ix.loaded ? ix.rev : -1;
        rc = load_since(c, since, err);
        if (!rc) {
            pthread_rwlock_wrlock(&ix.lock);
            if (since >= 0 && (rc = hot_refresh(c, since, err))) hot_forget();
            ix.loaded = true;
            if (rev > ix.rev) ix.rev = rev;
            if (ix.waste > 1u << 20 && ix.waste * 2 > ix.pn) compact();
            if (ix.pos_stale) pos_rebuild();
            if (ix.cb_stale || !ix.cb_ok) cb_rebuild();
            pthread_rwlock_unlock(&ix.lock);
        }
    }
    pthread_mutex_unlock(&ix.load);
    if (rc) return rc;
    pthread_rwlock_rdlock(&ix.lock);
    return 0;
}

static void index_release(void)
{
    pthread_rwlock_unlock(&ix.lock);
}

static int index_acquire(ms_req *r)
{
    return index_load(r->db, &r->err);
}

int talent_index_preload(db *d, ms_error *err)
{
    db_conn *c = db_acquire(d);
    int rc = db_begin(c, DB_TX_READ, err);
    if (!rc) rc = index_load(c, err);
    if (!rc) {
        rc = hot_preload(c, err);
        index_release();
    }
    db_rollback(c);
    db_release(c);
    return rc;
}

void talent_index_forget(void)
{
    hot_forget();
    pthread_mutex_lock(&ix.load);
    pthread_rwlock_wrlock(&ix.lock);
    free(ix.e);
    free(ix.pool);
    free(ix.pos);
    for (uint32_t c = 0; c < ix.ncb; c++)
        free(ix.cb[c]);
    free(ix.cb);
    ix.cb = NULL;
    ix.ncb = 0;
    ix.cbw = 0;
    ix.cb_ok = false;
    ix.pos = NULL;
    ix.npos = 0;
    ix.pos_stale = false;
    for (int i = 0; i < S_COUNT; i++)
        st_free(&ix.st[i]);
    ix.e = NULL;
    ix.pool = NULL;
    ix.n = ix.cap = ix.live = ix.pn = ix.pcap = ix.waste = 0;
    ix.loaded = false;
    ix.rev = 0;
    pthread_rwlock_unlock(&ix.lock);
    pthread_mutex_unlock(&ix.load);
}

/* ---- The searcher. ---- */

typedef struct searcher {
    uint32_t me;       /* the caller's interned account, 0 when no profile names it */
    uint32_t orgs[64]; /* the caller's organizations that the index knows, sorted */
    int norgs;
    uint8_t *colleague; /* bit per interned account sharing an organization, or NULL */
    /* Booked days of accounts in the window (from production), sorted by account. */
    struct booked {
        uint32_t user;
        int32_t d0, d1;
    } * booked;
    int nbooked;
} searcher;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static bool has_u32(const uint32_t *v, int n, uint32_t x)
{
    for (int i = 0; i < n; i++)
        if (v[i] == x) return true;
    return false;
}

/* Who the caller is to the index's entries. Read lock held (lookups only). */
static int searcher_load(ms_req *r, searcher *s)
{
    memset(s, 0, sizeof *s);
    if (!r->caller) return 0;
    s->me = st_find(&ix.st[S_USERS], r->caller->user_id);
    const char **ids;
    int n;
    int rc = talent_viewer_orgs(r, &ids, &n);
    if (rc) return rc;
    for (int i = 0; i < n && s->norgs < 64; i++) {
        uint32_t o = st_find(&ix.st[S_ORGS], ids[i]);
        if (o) s->orgs[s->norgs++] = o;
    }
    qsort(s->orgs, (size_t)s->norgs, sizeof s->orgs[0], cmp_u32);
    if (!n || !ix.st[S_USERS].n) return 0;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT DISTINCT b.user_id FROM membership a JOIN membership b ON b.org_id = "
                  "a.org_id WHERE a.user_id = ?",
                  "s", r->caller->user_id);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        uint32_t u = st_find(&ix.st[S_USERS], db_col_text(st, 0));
        if (!u) continue;
        if (!s->colleague) {
            s->colleague = ms_arena_alloc(r->arena, ix.st[S_USERS].n / 8 + 1);
            if (!s->colleague) break;
        }
        s->colleague[u >> 3] |= (uint8_t)(1u << (u & 7));
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

static talent_vis level_of(const searcher *s, const tix_entry *e)
{
    if (e->user && e->user == s->me) return TV_PRIVATE;
    if (e->steward && has_u32(s->orgs, s->norgs, e->steward)) return e->user ? TV_ORGS : TV_PRIVATE;
    if (e->user && s->colleague && (s->colleague[e->user >> 3] & (1u << (e->user & 7))))
        return TV_ORGS;
    return TV_PLATFORM;
}

/* Bit 2f set when field f is visible at `lvl` (vis holds 2-bit lanes). */
static uint32_t visible_lanes(uint32_t vis, talent_vis lvl)
{
    const uint32_t low = 0x05555555u; /* TF_COUNT lanes */
    switch (lvl) {
    case TV_PUBLIC:
        return ~(vis | vis >> 1) & low;
    case TV_PLATFORM:
        return ~(vis >> 1) & low;
    case TV_ORGS:
        return ~(vis & vis >> 1) & low;
    default:
        return low;
    }
}

static bool has_craft(const tix_entry *e, uint32_t craft)
{
    if (e->ncrafts <= 4) {
        for (int i = 0; i < e->ncrafts; i++)
            if (e->craft4[i] == craft) return true;
        return false;
    }
    return has_u32(e_crafts(e), e->ncrafts, craft);
}

static bool sees(const tix_entry *e, talent_vis lvl, talent_field f)
{
    return e_vis(e, f) <= lvl;
}

typedef struct booked_ctx {
    ms_req *r;
    searcher *s;
    int cap;
} booked_ctx;

static int cmp_booked(const void *a, const void *b)
{
    const struct booked *x = a, *y = b;
    if (x->user != y->user) return x->user < y->user ? -1 : 1;
    return (x->d0 > y->d0) - (x->d0 < y->d0);
}

static int add_booked(void *ctx, const production_work *w)
{
    booked_ctx *b = ctx;
    uint32_t u = st_find(&ix.st[S_USERS], w->user_id);
    int32_t d0, d1;
    if (!u || !talent_day_parse(w->start_date, &d0) || !talent_day_parse(w->due_date, &d1))
        return 0;
    searcher *s = b->s;
    if (s->nbooked == b->cap) {
        int cap = b->cap ? b->cap * 2 : 64;
        struct booked *v = ms_arena_alloc(b->r->arena, (size_t)cap * sizeof *v);
        if (!v) return ms_fail(&b->r->err, MS_ENOMEM, NULL, "out of memory");
        if (s->nbooked) memcpy(v, s->booked, (size_t)s->nbooked * sizeof *v);
        s->booked = v;
        b->cap = cap;
    }
    s->booked[s->nbooked++] = (struct booked){u, d0 < d1 ? d0 : d1, d0 < d1 ? d1 : d0};
    return 0;
}

static int booked_load(ms_req *r, searcher *s, int32_t from, int32_t to)
{
    char f[16], t[16];
    int64_t ms0 = (int64_t)from * 86400000, ms1 = (int64_t)to * 86400000;
    char buf[MS_TIME_LEN];
    ms_time_fmt(ms0, buf);
    snprintf(f, sizeof f, "%.10s", buf);
    ms_time_fmt(ms1, buf);
    snprintf(t, sizeof t, "%.10s", buf);
    booked_ctx b = {r, s, 0};
    int rc = production_booked(r->db, f, t, add_booked, &b, &r->err);
    if (rc) return rc;
    if (s->nbooked) qsort(s->booked, (size_t)s->nbooked, sizeof *s->booked, cmp_booked);
    return 0;
}

/* Days of [from, to] an entry is taken (unavailable or booked); ranges may overlap. */
static int busy_days(const searcher *s, const tix_entry *e, int32_t from, int32_t to)
{
    int32_t iv[2 * MAX_LIST + 64][2];
    int n = 0;
    const int32_t *rg = e_ranges(e);
    for (int i = 0; i < e->nranges; i++)
        if (rg[2 * i] <= to && rg[2 * i + 1] >= from) {
            iv[n][0] = rg[2 * i];
            iv[n][1] = rg[2 * i + 1];
            n++;
        }
    if (e->user && s->nbooked) {
        int lo = 0, hi = s->nbooked;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (s->booked[mid].user < e->user)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (int i = lo; i < s->nbooked && s->booked[i].user == e->user && n < 2 * MAX_LIST + 64;
             i++) {
            iv[n][0] = s->booked[i].d0;
            iv[n][1] = s->booked[i].d1;
            n++;
        }
    }
    if (!n) return 0;
    /* Count covered days: sort by start (insertion sort: lists are short), then sweep. */
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && iv[k - 1][0] > iv[k][0]; k--) {
            int32_t a = iv[k][0], b = iv[k][1];
            iv[k][0] = iv[k - 1][0];
            iv[k][1] = iv[k - 1][1];
            iv[k - 1][0] = a;
            iv[k - 1][1] = b;
        }
    int days = 0;
    int32_t cur = from - 1; /* last day counted */
    for (int i = 0; i < n; i++) {
        int32_t a = iv[i][0] < from ? from : iv[i][0], b = iv[i][1] > to ? to : iv[i][1];
        if (a <= cur) a = cur + 1;
        if (a <= b) {
            days += b - a + 1;
            cur = b;
        }
    }
    return days;
}

/* free, partly, booked, or unknown (availability hidden) in [from, to]. */
static talent_avail avail_of(const searcher *s, const tix_entry *e, talent_vis lvl, int32_t from,
                             int32_t to)
{
    if (!sees(e, lvl, TF_AVAILABILITY)) return TA_UNKNOWN;
    int busy = busy_days(s, e, from, to);
    return !busy ? TA_FREE : busy >= to - from + 1 ? TA_BOOKED : TA_PARTLY;
}

const char *talent_avail_name(talent_avail a)
{
    switch (a) {
    case TA_FREE:
        return "free";
    case TA_PARTLY:
        return "partly";
    case TA_BOOKED:
        return "booked";
    default:
        return "unknown";
    }
}

/* ---- Search. ---- */

/* How well the folded query names the entry: 4 a name, 3 a name's beginning, 2 a word's
 * beginning, 1 inside a name, 0 another field. */
static int name_tier(const tix_entry *e, const char *q, size_t qn)
{
    if (!qn) return 0;
    /* One search over all the names ('\n' between them; the query holds none, so no hit
     * runs across two names), each hit classed by what stands before and after it. */
    const char *base = e_names(e), *end = base + e->names_len, *p = base;
    int best = 0;
    while (best < 4 && (size_t)(end - p) >= qn) {
        const char *hit = memmem(p, (size_t)(end - p), q, qn);
        if (!hit) break;
        int t = 1;
        if (hit == base || hit[-1] == '\n')
            t = hit + qn == end || hit[qn] == '\n' ? 4 : 3;
        else if (hit[-1] == ' ')
            t = 2;
        if (t > best) best = t;
        p = hit + 1;
    }
    return best;
}

static uint64_t hit_key(int64_t score, int64_t seq)
{
    return (uint64_t)score << 32 | (uint32_t)(0xFFFFFFFFu - (uint32_t)seq);
}

/* A min-heap of the best `cap` keys. */
typedef struct heap {
    talent_hit *v;
    int n, cap;
} heap;

static void heap_push(heap *h, talent_hit x)
{
    if (h->n == h->cap) {
        if (x.key <= h->v[0].key) return;
        h->v[0] = x;
        for (int i = 0;;) {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < h->n && h->v[l].key < h->v[m].key) m = l;
            if (r < h->n && h->v[r].key < h->v[m].key) m = r;
            if (m == i) break;
            talent_hit t = h->v[i];
            h->v[i] = h->v[m];
            h->v[m] = t;
            i = m;
        }
        return;
    }
    int i = h->n++;
    h->v[i] = x;
    while (i > 0 && h->v[(i - 1) / 2].key > h->v[i].key) {
        talent_hit t = h->v[i];
        h->v[i] = h->v[(i - 1) / 2];
        h->v[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static int cmp_hit_desc(const void *a, const void *b)
{
    uint64_t x = ((const talent_hit *)a)->key, y = ((const talent_hit *)b)->key;
    return (x < y) - (x > y);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct facet_acc {
    uint32_t *count[TALENT_FACETS];
    uint32_t size[TALENT_FACETS];
} facet_acc;

static const int facet_tab[TALENT_FACETS] = {S_CRAFTS, S_LANGS, S_COUNTRIES, S_CITIES, S_ORGS};

static void facet_add(facet_acc *f, int k, uint32_t id)
{
    if (id && id < f->size[k]) f->count[k][id]++;
}

typedef struct facet_sort {
    uint32_t id, count;
} facet_sort;

static int cmp_facet(const void *a, const void *b)
{
    const facet_sort *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    return (x->id > y->id) - (x->id < y->id);
}

/* The most frequent values of each facet into `out`, strings copied to the arena. */
static void facets_out(ms_req *r, facet_acc *f, talent_search_res *out)
{
    for (int k = 0; k < TALENT_FACETS; k++) {
        int n = 0;
        for (uint32_t id = 1; id < f->size[k]; id++)
            if (f->count[k][id]) n++;
        facet_sort *v = malloc((size_t)(n ? n : 1) * sizeof *v);
        if (!v) continue;
        n = 0;
        for (uint32_t id = 1; id < f->size[k]; id++)
            if (f->count[k][id]) v[n++] = (facet_sort){id, f->count[k][id]};
        qsort(v, (size_t)n, sizeof *v, cmp_facet);
        if (n > TALENT_FACET_MAX) n = TALENT_FACET_MAX;
        out->facets[k] = ms_arena_alloc(r->arena, (size_t)(n ? n : 1) * sizeof *out->facets[k]);
        out->nfacets[k] = out->facets[k] ? n : 0;
        for (int i = 0; i < out->nfacets[k]; i++) {
            out->facets[k][i].value =
                ms_arena_strdup(r->arena, st_shown(&ix.st[facet_tab[k]], v[i].id));
            out->facets[k][i].count = v[i].count;
        }
        free(v);
    }
}

/* Does the entry pass the query's filters, for a searcher at `lvl`? */
static bool passes(const talent_search_q *q, const searcher *s, const tix_entry *e, talent_vis lvl,
                   const uint32_t *crafts, int ncrafts, uint32_t lang, uint32_t country,
                   uint32_t city, uint32_t org)
{
    if (q->ncrafts) {
        if (!sees(e, lvl, TF_CRAFTS)) return false;
        bool ok = false;
        for (int i = 0; !ok && i < ncrafts; i++)
            ok = has_craft(e, crafts[i]);
        if (!ok) return false;
    }
    if (q->language) {
        if (!sees(e, lvl, TF_LANGUAGES)) return false;
        bool ok = false;
        const uint32_t *l = e_langs(e);
        for (int i = 0; !ok && i < e->nlangs; i++)
            ok = (l[i] >> 3) == lang && (int)(l[i] & 7) >= q->level;
        if (!ok) return false;
    }
    if ((q->country || q->city) && !sees(e, lvl, TF_LOCATION)) return false;
    if (q->country && e->country != country) return false;
    if (q->city && e->city != city) return false;
    if (q->org) {
        bool ok = e->steward == org;
        if (!ok && sees(e, lvl, TF_CREDITS)) ok = has_u32(e_orgs(e), e->norgs, org);
        if (!ok) return false;
    }
    if (q->window && avail_of(s, e, lvl, q->from, q->to) != TA_FREE) return false;
    return true;
}

/* Rows of the text index land anywhere in the index: ask the memory for what the rows a
 * little ahead will need (their place in `pos`, their entry, their lists) so that the
 * waits overlap instead of adding up. */
static void prefetch_rows(const int64_t *rows, size_t n, size_t i)
{
    if (i + 24 < n && rows[i + 24] >= 0 && (size_t)rows[i + 24] < ix.npos)
        __builtin_prefetch(&ix.pos[rows[i + 24]]);
    if (i + 12 < n) {
        const tix_entry *e = find_entry(rows[i + 12]);
        if (e) __builtin_prefetch(e);
    }
    if (i + 6 < n) {
        const tix_entry *e = find_entry(rows[i + 6]);
        if (e) {
            __builtin_prefetch(ix.pool + e->off);
            __builtin_prefetch(ix.pool + e->off + 16);
        }
    }
}

typedef struct rowset {
    int64_t *v;
    size_t n, cap;
} rowset;

static int add_row(void *ctx, int64_t rowid)
{
    rowset *s = ctx;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        int64_t *v = realloc(s->v, cap * sizeof *v);
        if (!v) return MS_ENOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = rowid;
    return 0;
}

/* ---- Hot tokens. ----
 * A token that very many documents contain (a bigram such as "an", a trigram such as "ing",
 * a common surname) makes the text index list hundreds of thousands of rows for one query:
 * at a million profiles that listing alone costs 35-65 ms. For such tokens the index keeps a
 * bitmap over seqs: built once from the text index (all of them in the background at start,
 * from the index's vocabulary, or the first time a query meets one), then kept exact by the
 * reloads, which cut the changed profiles' documents (talent_doc.doc, the very text their
 * text-index rows were made from) into tokens again. A query whose every word is one token
 * (a word of 1-3 characters) and whose tokens are all hot is answered from the bitmaps; any
 * other query asks the text index, as does any query with a token known to be rare (its rows
 * are few by definition, and the AND is no larger).
 *
 * "Hot" is at least one row in HOT_SHARE of the profiles in the index (and at least
 * HOT_FLOOR rows); at most HOT_MAX tokens. The bitmaps are read under the index's read lock
 * and changed only under its write lock; the table of tokens has its own mutex because a
 * query (holding only the read lock) may add to it. Rare tokens are remembered until the next
 * reload. */
#define HOT_MAX   1024
#define HOT_SHARE 16
#define HOT_FLOOR 2
#define RARE_MAX  4096
#define TOK_MAX   15 /* bytes of a token: 3 characters of up to 4 bytes, and room */

typedef struct hot_tok {
    char tok[TOK_MAX + 1];
    uint8_t len;
    bool rare; /* known to be rare: no bitmap */
    uint64_t *bits;
} hot_tok;

static struct {
    pthread_mutex_t mu;
    hot_tok *v; /* HOT_MAX + RARE_MAX slots */
    int n;
    int nhot;
    size_t words; /* words of every bitmap */
} hot = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Is this connection's snapshot at the index's revision? */
static bool snapshot_current(db_conn *c)
{
    db_stmt *st;
    ms_error e;
    ms_error_clear(&e);
    int rc = db_query_row(c, &st, &e, "SELECT rev FROM talent_revision WHERE id = 1", "");
    if (rc != DB_ROW) return rc == DB_DONE && ix.rev == 0;
    bool same = db_col_int(st, 0) == ix.rev;
    db_done(st);
    return same;
}

static int64_t hot_threshold(void)
{
    int64_t t = (int64_t)ix.live / HOT_SHARE;
    return t > HOT_FLOOR ? t : HOT_FLOOR;
}

/* Index of the token in the table, or -1 (with hot.mu held). */
static int hot_find(const char *tok, size_t len)
{
    for (int i = 0; i < hot.n; i++)
        if (hot.v[i].len == len && !memcmp(hot.v[i].tok, tok, len)) return i;
    return -1;
}

/* Make every bitmap cover seqs below `seqs` (with the index's write lock, or before any
 * bitmap exists). */
static bool hot_cover(size_t seqs)
{
    size_t words = (seqs + 64) / 64 + 1024; /* room for a few more profiles */
    if (words <= hot.words) return true;
    for (int i = 0; i < hot.n; i++) {
        if (!hot.v[i].bits) continue;
        uint64_t *b = realloc(hot.v[i].bits, words * sizeof *b);
        if (!b) return false;
        memset(b + hot.words, 0, (words - hot.words) * sizeof *b);
        hot.v[i].bits = b;
    }
    hot.words = words;
    return true;
}

typedef struct hot_build_ctx {
    uint64_t *bits;
    size_t words;
    int64_t rows;
} hot_build_ctx;

static int hot_set_row(void *ctx, int64_t rowid)
{
    hot_build_ctx *b = ctx;
    if (rowid > 0 && (size_t)rowid / 64 < b->words) b->bits[rowid / 64] |= 1ull << (rowid % 64);
    b->rows++;
    return 0;
}

/* Learn whether token `tok` is hot: list its rows once from the text index (a token of a
 * word of at most 3 characters is that word's whole query). Adds it to the table. With the
 * index's read lock held. */
static int hot_learn(db_conn *c, const char *tok, size_t len, ms_error *err)
{
    if (len > TOK_MAX) return 0;
    char word[TOK_MAX + 1];
    memcpy(word, tok, len);
    word[len] = 0;
    pthread_mutex_lock(&hot.mu);
    bool known = hot_find(tok, len) >= 0 || hot.n >= HOT_MAX + RARE_MAX;
    size_t words = hot.words ? hot.words : (ix.npos + 64) / 64 + 1024;
    pthread_mutex_unlock(&hot.mu);
    if (known) return 0;
    hot_build_ctx b = {calloc(words, sizeof(uint64_t)), words, 0};
    if (!b.bits) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    int rc = db_text_search(c, "talent_fts", word, hot_set_row, &b, err);
    if (rc || !snapshot_current(c)) {
        /* An older snapshot than the index's: its rows may miss what the reloads since
         * applied. Leave the token unknown; a later query learns it. */
        free(b.bits);
        return rc;
    }
    pthread_mutex_lock(&hot.mu);
    if (!hot.words) hot.words = words;
    bool is_hot = b.rows >= hot_threshold() && hot.nhot < HOT_MAX && words == hot.words;
    if (hot_find(tok, len) < 0 && hot.n < HOT_MAX + RARE_MAX) {
        if (!hot.v) hot.v = calloc(HOT_MAX + RARE_MAX, sizeof *hot.v);
        if (hot.v) {
            hot_tok *t = &hot.v[hot.n++];
            memcpy(t->tok, tok, len);
            t->len = (uint8_t)len;
            t->rare = !is_hot;
            t->bits = is_hot ? b.bits : NULL;
            if (is_hot) {
                hot.nhot++;
                b.bits = NULL;
            }
        }
    }
    pthread_mutex_unlock(&hot.mu);
    free(b.bits);
    return 0;
}

static int hot_learn_term(void *ctx, const char *tok, size_t len, int64_t docs)
{
    (void)docs;
    void **a = ctx;
    return hot_learn(a[0], tok, len, a[1]);
}

/* All the hot tokens of the index's vocabulary, at once (the preload at start). */
static int hot_preload(db_conn *c, ms_error *err)
{
    void *a[2] = {c, err};
    return db_text_frequent(c, "talent_fts", hot_threshold(), hot_learn_term, a, err);
}

typedef struct hot_query {
    int n;
    bool usable;
    char tok[32][TOK_MAX + 1]; /* copies: the tokens live only during the callback */
    size_t len[32];
} hot_query;

static int hot_query_token(void *ctx, int term, int idx, const char *tok, size_t len)
{
    (void)term;
    hot_query *h = ctx;
    /* A word of more than 3 characters is a phrase of tokens: it needs positions. */
    if (idx > 0 || h->n == 32 || len > TOK_MAX) h->usable = false;
    if (h->usable) {
        memcpy(h->tok[h->n], tok, len);
        h->len[h->n++] = len;
    }
    return 0;
}

/* The rows of `text` from the bitmaps when every word of it is one hot token: *used tells.
 * Tokens not yet known are learnt first (a rare one sends the query to the text index).
 * With the index's read lock held. */
static int hot_rows(ms_req *r, const char *text, rowset *rows, bool *used)
{
    *used = false;
    hot_query h = {.usable = true};
    int rc = tg_query_terms(text, strlen(text), hot_query_token, &h, &r->err);
    if (rc < 0) return rc;
    if (!h.usable || !h.n) return 0;
    const uint64_t *bits[32];
    for (int k = 0; k < h.n; k++) {
        pthread_mutex_lock(&hot.mu);
        int i = hot_find(h.tok[k], h.len[k]);
        pthread_mutex_unlock(&hot.mu);
        if (i < 0) {
            if ((rc = hot_learn(r->db, h.tok[k], h.len[k], &r->err))) return rc;
            pthread_mutex_lock(&hot.mu);
            i = hot_find(h.tok[k], h.len[k]);
            pthread_mutex_unlock(&hot.mu);
        }
        if (i < 0 || hot.v[i].rare) return 0;
        bits[k] = hot.v[i].bits;
    }
    pthread_mutex_lock(&hot.mu);
    size_t words = hot.words;
    pthread_mutex_unlock(&hot.mu);
    for (size_t w = 0; w < words; w++) {
        uint64_t b = bits[0][w];
        for (int k = 1; k < h.n && b; k++)
            b &= bits[k][w];
        while (b) {
            if ((rc = add_row(rows, (int64_t)(w * 64 + (size_t)__builtin_ctzll(b))))) return rc;
            b &= b - 1;
        }
    }
    *used = true;
    return 0;
}

typedef struct hot_doc_ctx {
    int64_t seq;
} hot_doc_ctx;

static int hot_doc_token(void *ctx, const char *tok, size_t len, int pos)
{
    (void)pos;
    hot_doc_ctx *d = ctx;
    int i = hot_find(tok, len);
    if (i >= 0 && hot.v[i].bits) hot.v[i].bits[d->seq / 64] |= 1ull << (d->seq % 64);
    return 0;
}

/* The profiles stamped after `since` changed: their bits again, from the text their rows of
 * the text index were made from. Forgets the rare tokens (a reload may have made one hot).
 * With the index's write lock held. */
static int hot_refresh(db_conn *c, int64_t since, ms_error *err)
{
    pthread_mutex_lock(&hot.mu);
    int w = 0;
    for (int i = 0; i < hot.n; i++)
        if (!hot.v[i].rare) hot.v[w++] = hot.v[i];
    hot.n = w;
    bool any = hot.nhot > 0;
    pthread_mutex_unlock(&hot.mu);
    if (!any) return 0;
    int max_pos = db_text_max_pos(c);
    db_stmt *st;
    int rc = db_query(c, &st, err,
                      "SELECT p.seq, CASE WHEN p.listed = 0 OR p.deleted_at IS NOT NULL THEN '' "
                      "ELSE COALESCE(d.doc, '') END FROM talent_profile p LEFT JOIN talent_doc d "
                      "ON d.seq = p.seq WHERE p.rev > ?",
                      "I", since);
    if (rc) return rc;
    pthread_mutex_lock(&hot.mu);
    while ((rc = db_step(st, err)) == DB_ROW) {
        int64_t seq = db_col_int(st, 0);
        if (seq <= 0) continue;
        if ((size_t)seq / 64 >= hot.words && !hot_cover((size_t)seq)) {
            rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
            break;
        }
        for (int i = 0; i < hot.n; i++)
            if (hot.v[i].bits) hot.v[i].bits[seq / 64] &= ~(1ull << (seq % 64));
        hot_doc_ctx d = {seq};
        ms_error e;
        ms_error_clear(&e);
        tg_doc_tokens(db_col_text(st, 1), db_col_bytes(st, 1), max_pos, hot_doc_token, &d, &e);
    }
    pthread_mutex_unlock(&hot.mu);
    db_done(st);
    return rc < 0 ? rc : 0;
}

static void hot_forget(void)
{
    pthread_mutex_lock(&hot.mu);
    for (int i = 0; i < hot.n; i++)
        free(hot.v[i].bits);
    free(hot.v);
    hot.v = NULL;
    hot.n = hot.nhot = 0;
    hot.words = 0;
    pthread_mutex_unlock(&hot.mu);
}

/* ---- Scanning in parts. ----
 * A scan over every profile (a search without words, a match) is split in two halves that
 * two threads run at once when the index is large: each half has its own counts and its own
 * best list, merged after. The index is under the read lock meanwhile, and each half only
 * reads it. */
#define SCAN_SPLIT 200000

typedef int (*part_fn)(void *ctx, int part, size_t lo, size_t hi);
typedef struct part_job {
    part_fn fn;
    void *ctx;
    size_t lo, hi;
    int rc;
} part_job;

static void *part_main(void *p)
{
    part_job *j = p;
    j->rc = j->fn(j->ctx, 1, j->lo, j->hi);
    return NULL;
}

/* Run fn over [0, n): in two parts (part 0 here, part 1 on a thread) when the work covers
 * many entries (`entries`: n itself, or the entries behind n bitmap words). */
static int run_parts(part_fn fn, void *ctx, size_t n, size_t entries, int *nparts)
{
    *nparts = 1;
    if (entries >= SCAN_SPLIT && n >= 2) {
        part_job j = {fn, ctx, n / 2, n, 0};
        pthread_t t;
        if (!pthread_create(&t, NULL, part_main, &j)) {
            *nparts = 2;
            int rc = fn(ctx, 0, 0, n / 2);
            pthread_join(t, NULL);
            return rc ? rc : j.rc;
        }
    }
    return fn(ctx, 0, 0, n);
}

/* Each half's own state, a cache line apart from the other's (no false sharing). */
typedef struct search_part {
    _Alignas(128) facet_acc f;
    heap h;
    int64_t total;
} search_part;

typedef struct search_scan {
    const talent_search_q *q;
    const searcher *s;
    const rowset *rows;       /* NULL: every entry */
    const uint64_t *bits[16]; /* or the entries of these crafts' bitmaps */
    int nbits;
    const uint32_t *crafts;
    int ncrafts;
    uint32_t lang, country, city, org;
    size_t qn;
    search_part part[2];
} search_scan;

/* One candidate: filters, counts, rank. */
static void search_one(const search_scan *x, search_part *p, const tix_entry *e, int64_t *total)
{
    const talent_search_q *q = x->q;
    const searcher *s = x->s;
    facet_acc *f = &p->f;
    if (e->dead) return;
    talent_vis lvl = level_of(s, e);
    if (!passes(q, s, e, lvl, x->crafts, x->ncrafts, x->lang, x->country, x->city, x->org)) return;
    (*total)++;
    if (sees(e, lvl, TF_CRAFTS))
        for (int k = 0; k < e->ncrafts; k++)
            facet_add(f, 0, e_craft(e, k));
    if (sees(e, lvl, TF_LANGUAGES))
        for (int k = 0; k < e->nlangs; k++)
            facet_add(f, 1, e_langs(e)[k] >> 3);
    if (sees(e, lvl, TF_LOCATION)) {
        facet_add(f, 2, e->country);
        facet_add(f, 3, e->city);
    }
    facet_add(f, 4, e->steward);
    if (sees(e, lvl, TF_CREDITS))
        for (int k = 0; k < e->norgs; k++)
            if (e_orgs(e)[k] != e->steward && !has_u32(e_orgs(e), k, e_orgs(e)[k]))
                facet_add(f, 4, e_orgs(e)[k]);
    /* Rank: how the query names it, then verified credits, then completeness - each counted
     * only as far as the searcher may read it. */
    int64_t score = (int64_t)name_tier(e, q->folded, x->qn) * 100000;
    if (sees(e, lvl, TF_CREDITS)) score += (e->verified > 999 ? 999 : e->verified) * 100;
    score += __builtin_popcount(e->filled & visible_lanes(e->vis, lvl));
    talent_hit hit = {e->seq, score, hit_key(score, e->seq), TA_UNKNOWN};
    if (q->after && hit.key >= q->after) return;
    if (q->window) hit.avail = avail_of(s, e, lvl, q->from, q->to);
    heap_push(&p->h, hit);
}

/* Rows [lo, hi) of the text index, words [lo, hi) of the crafts' bitmaps, or entries. */
static int search_range(void *ctx, int pi, size_t lo, size_t hi)
{
    search_scan *x = ctx;
    search_part *p = &x->part[pi];
    int64_t total = 0;
    if (x->rows) {
        const int64_t *v = x->rows->v;
        for (size_t i = lo; i < hi; i++) {
            if (i && v[i] == v[i - 1]) continue;
            if (!ix.pos_stale) prefetch_rows(v, hi, i);
            const tix_entry *e = find_entry(v[i]);
            if (e) search_one(x, p, e, &total);
        }
    } else if (x->nbits) {
        for (size_t w = lo; w < hi; w++) {
            uint64_t b = 0;
            for (int k = 0; k < x->nbits; k++)
                b |= x->bits[k][w];
            while (b) {
                size_t idx = w * 64 + (size_t)__builtin_ctzll(b);
                b &= b - 1;
                if (idx < ix.n) search_one(x, p, &ix.e[idx], &total);
            }
        }
    } else {
        for (size_t i = lo; i < hi; i++)
            search_one(x, p, &ix.e[i], &total);
    }
    p->total = total;
    return 0;
}

static void search_parts_free(search_scan *x)
{
    for (int pi = 0; pi < 2; pi++) {
        for (int k = 0; k < TALENT_FACETS; k++)
            free(x->part[pi].f.count[k]);
        free(x->part[pi].h.v);
    }
}

int talent_ix_search(ms_req *r, const talent_search_q *q, talent_search_res *out)
{
    memset(out, 0, sizeof *out);
    int rc = index_acquire(r);
    if (rc) return rc;
    searcher s;
    search_scan x;
    memset(&x, 0, sizeof x);
    x.q = q;
    x.s = &s;
    rc = searcher_load(r, &s);
    if (!rc && q->window) rc = booked_load(r, &s, q->from, q->to);
    /* The filters' values as the index knows them: an unknown value matches nothing. */
    uint32_t crafts[16];
    int ncrafts = 0;
    for (int i = 0; i < q->ncrafts && i < 16; i++)
        crafts[ncrafts++] = st_find(&ix.st[S_CRAFTS], q->crafts[i]);
    x.crafts = crafts;
    x.ncrafts = ncrafts;
    char lang_lower[64] = "";
    if (q->language) {
        ms_strlcpy(lang_lower, q->language, sizeof lang_lower);
        for (char *p = lang_lower; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    }
    x.lang = q->language ? st_find(&ix.st[S_LANGS], lang_lower) : 0;
    x.country = q->country ? st_find(&ix.st[S_COUNTRIES], q->country) : 0;
    x.city = q->city ? st_find(&ix.st[S_CITIES], q->city) : 0;
    x.org = q->org ? st_find(&ix.st[S_ORGS], q->org) : 0;
    bool impossible = (q->language && !x.lang) || (q->country && !x.country) ||
                      (q->city && !x.city) || (q->org && !x.org);
    for (int pi = 0; pi < 2; pi++) {
        search_part *p = &x.part[pi];
        for (int k = 0; !rc && k < TALENT_FACETS; k++) {
            p->f.size[k] = ix.st[facet_tab[k]].n;
            p->f.count[k] = calloc(p->f.size[k] + 1, sizeof *p->f.count[k]);
            if (!p->f.count[k]) rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        }
        p->h.cap = q->limit + 1;
        p->h.v = malloc((size_t)p->h.cap * sizeof *p->h.v);
        if (!rc && !p->h.v) rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    x.qn = q->folded ? strlen(q->folded) : 0;
    /* Candidates: the text index's rows for the words, or every profile. */
    rowset rows = {0};
    if (!rc && !impossible && q->text) {
        bool from_bits = false;
        rc = hot_rows(r, q->text, &rows, &from_bits);
        if (!rc && !from_bits) {
            rows.n = 0;
            rc = db_text_search(r->db, "talent_fts", q->text, add_row, &rows, &r->err);
        }
        /* The bitmaps give rows in order, and so does FTS5 as a rule: sort only when not. */
        bool sorted = true;
        for (size_t i = 1; sorted && i < rows.n; i++)
            sorted = rows.v[i - 1] <= rows.v[i];
        if (!rc && !sorted) qsort(rows.v, rows.n, sizeof *rows.v, cmp_i64);
        x.rows = &rows;
    }
    size_t n = q->text ? rows.n : ix.n;
    if (!rc && !impossible && !q->text && ncrafts && ix.cb_ok && !ix.cb_stale) {
        for (int i = 0; i < ncrafts; i++)
            if (crafts[i] && crafts[i] < ix.ncb && ix.cb[crafts[i]])
                x.bits[x.nbits++] = ix.cb[crafts[i]];
        impossible = !x.nbits;
        n = ix.cbw;
    }
    if (!rc && !impossible) {
        int nparts;
        rc = run_parts(search_range, &x, n, x.nbits ? ix.n : n, &nparts);
        /* Merge the second half into the first. */
        search_part *a = &x.part[0], *b = &x.part[1];
        if (nparts == 2) {
            a->total += b->total;
            for (int k = 0; k < TALENT_FACETS; k++)
                for (uint32_t id = 0; id < a->f.size[k]; id++)
                    a->f.count[k][id] += b->f.count[k][id];
            for (int i = 0; i < b->h.n; i++)
                heap_push(&a->h, b->h.v[i]);
        }
    }
    search_part *p = &x.part[0];
    out->total = p->total;
    if (!rc) facets_out(r, &p->f, out);
    index_release();
    free(rows.v);
    if (rc) {
        search_parts_free(&x);
        return rc;
    }
    qsort(p->h.v, (size_t)p->h.n, sizeof *p->h.v, cmp_hit_desc);
    out->more = p->h.n > q->limit;
    out->nhits = p->h.n > q->limit ? q->limit : p->h.n;
    out->hits = ms_arena_alloc(r->arena, (size_t)(out->nhits ? out->nhits : 1) * sizeof *out->hits);
    if (out->hits && out->nhits) memcpy(out->hits, p->h.v, (size_t)out->nhits * sizeof *p->h.v);
    search_parts_free(&x);
    return 0;
}

/* ---- Matching. ---- */

/* Add a factor; its sentence is written only when `detail` (the final items: ranking the
 * whole candidate set needs the points alone). */
static void factor(talent_match_item *m, bool detail, const char *name, int points, int max,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void factor(talent_match_item *m, bool detail, const char *name, int points, int max,
                   const char *fmt, ...)
{
    if (m->nf == TALENT_FACTORS) return;
    talent_factor *f = &m->f[m->nf++];
    f->factor = name;
    f->points = points;
    f->max = max;
    m->score += points;
    if (!detail) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->detail, sizeof f->detail, fmt, ap);
    va_end(ap);
}

static bool skill_has(const tix_entry *e, const char *skill)
{
    size_t n = strlen(skill);
    const char *p = e_skills(e), *end = p + e->skills_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        for (size_t i = 0; n && i + n <= len; i++)
            if (!memcmp(p + i, skill, n) && (i == 0 || p[i - 1] == ' ')) return true;
        p += len + 1;
    }
    return false;
}

static const int avail_points[] = {
    [TA_FREE] = 30, [TA_PARTLY] = 15, [TA_UNKNOWN] = 10, [TA_BOOKED] = 0};

/* Score one candidate against the need. */
static void score_one(const talent_need *nd, const searcher *s, const tix_entry *e, talent_vis lvl,
                      uint32_t craft, int32_t this_year, const uint32_t *langs, uint32_t country,
                      uint32_t city, uint32_t currency, bool dt, talent_match_item *m)
{
    /* Not a memset: the sentences (most of the item) are written only when asked for. */
    m->seq = e->seq;
    m->score = 0;
    m->nf = 0;
    m->avail = TA_UNKNOWN;
    /* Availability. */
    if (nd->window) {
        m->avail = avail_of(s, e, lvl, nd->from, nd->to);
        int busy = m->avail == TA_PARTLY ? busy_days(s, e, nd->from, nd->to) : 0;
        int days = nd->to - nd->from + 1;
        switch (m->avail) {
        case TA_FREE:
            factor(m, dt, "availability", avail_points[TA_FREE], 30, "free for all %d days", days);
            break;
        case TA_PARTLY:
            factor(m, dt, "availability", avail_points[TA_PARTLY], 30, "free for %d of %d days",
                   days - busy, days);
            break;
        case TA_BOOKED:
            factor(m, dt, "availability", 0, 30, "booked or unavailable for the whole period");
            break;
        default:
            factor(m, dt, "availability", avail_points[TA_UNKNOWN], 30,
                   "not shared: availability is not visible to you");
        }
    } else {
        m->avail = TA_UNKNOWN;
    }
    /* Credits in the craft: verified ones weigh three times, recent work adds. */
    if (!sees(e, lvl, TF_CREDITS)) {
        factor(m, dt, "credits", 0, 40, "not shared: credits are not visible to you");
    } else {
        int n = 0, ver = 0, last = 0;
        const uint32_t *cc = e_cc(e);
        for (int i = 0; i < e->ncc; i++)
            if (cc[3 * i] == craft) {
                n = (int)(cc[3 * i + 1] & 0xFFFF);
                ver = (int)(cc[3 * i + 1] >> 16);
                last = (int)cc[3 * i + 2];
            }
        int pts = 3 * ver + (n - ver);
        if (pts > 32) pts = 32;
        int recent = last && this_year - last <= 2 ? 8 : last && this_year - last <= 5 ? 4 : 0;
        if (!n)
            factor(m, dt, "credits", 0, 40, "no credits in this craft");
        else
            factor(m, dt, "credits", pts + recent, 40, "%d credit%s in this craft, %d verified%s%s",
                   n, n == 1 ? "" : "s", ver, last ? ", latest " : "",
                   last ? (recent ? "recent" : "older") : "");
    }
    /* Skills asked for. */
    if (nd->nskills) {
        if (!sees(e, lvl, TF_SKILLS)) {
            factor(m, dt, "skills", 0, 15, "not shared: skills are not visible to you");
        } else {
            int got = 0;
            for (int i = 0; i < nd->nskills; i++)
                if (skill_has(e, nd->skills[i])) got++;
            factor(m, dt, "skills", 15 * got / nd->nskills, 15, "%d of %d skills asked for", got,
                   nd->nskills);
        }
    }
    /* Languages at the level asked. */
    if (nd->nlangs) {
        if (!sees(e, lvl, TF_LANGUAGES)) {
            factor(m, dt, "languages", 0, 15, "not shared: languages are not visible to you");
        } else {
            int got = 0;
            const uint32_t *l = e_langs(e);
            for (int i = 0; i < nd->nlangs; i++)
                for (int k = 0; k < e->nlangs; k++)
                    if (langs[i] && (l[k] >> 3) == langs[i] &&
                        (int)(l[k] & 7) >= nd->langs[i].level) {
                        got++;
                        break;
                    }
            factor(m, dt, "languages", 15 * got / nd->nlangs, 15,
                   "%d of %d languages at the level asked", got, nd->nlangs);
        }
    }
    /* Location: the same city, the same country, or willing to travel. */
    if (nd->country || nd->city) {
        if (!sees(e, lvl, TF_LOCATION)) {
            factor(m, dt, "location", 0, 10, "not shared: location is not visible to you");
        } else if (nd->city && city && e->city == city && (!nd->country || e->country == country)) {
            factor(m, dt, "location", 10, 10, "based in the city");
        } else if (nd->country && country && e->country == country) {
            factor(m, dt, "location", e->travel >= 1 ? 7 : 5, 10, "based in the country%s",
                   e->travel >= 1 ? ", travels in it" : "");
        } else if (e->travel == 3) {
            factor(m, dt, "location", 3, 10, "travels internationally");
        } else {
            factor(m, dt, "location", 0, 10, "based elsewhere");
        }
    }
    /* Budget: a day rate within it; a rate not shared is neutral. */
    if (nd->budget) {
        if (!sees(e, lvl, TF_RATES))
            factor(m, dt, "budget", 5, 10, "not shared: the rate is not visible to you");
        else if (!e->currency || e->rate_day < 0)
            factor(m, dt, "budget", 5, 10, "no day rate given");
        else if (e->currency != currency)
            factor(m, dt, "budget", 5, 10, "day rate in another currency");
        else if (e->rate_day <= nd->budget_day)
            factor(m, dt, "budget", 10, 10, "day rate within the budget");
        else
            factor(m, dt, "budget", 0, 10, "day rate above the budget");
    }
}

static int cmp_match(const void *a, const void *b)
{
    const talent_match_item *x = a, *y = b;
    static const int order[] = {[TA_FREE] = 0, [TA_PARTLY] = 1, [TA_UNKNOWN] = 2, [TA_BOOKED] = 3};
    if (order[x->avail] != order[y->avail]) return order[x->avail] - order[y->avail];
    if (x->score != y->score) return y->score - x->score;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Is `a` ranked before `b`? */
static bool match_before(const talent_match_item *a, const talent_match_item *b)
{
    return cmp_match(a, b) < 0;
}

#define MATCH_BY_BITMAP 0

typedef struct match_part {
    _Alignas(128) talent_match_item *best; /* sorted, at most limit */
    int nbest;
    int64_t considered;
} match_part;

typedef struct match_scan {
    const talent_need *nd;
    const searcher *s;
    uint32_t craft, country, city, currency;
    const uint32_t *langs;
    int32_t this_year;
    const uint64_t *bits; /* the craft's bitmap (ranges are its words), or NULL (entries) */
    match_part part[2];
} match_scan;

/* Insert `cur` into the sorted best list of a part when it ranks among the first `limit`. */
static void best_insert(match_part *p, int limit, const talent_match_item *cur)
{
    if (p->nbest == limit && !match_before(cur, &p->best[p->nbest - 1])) return;
    int at = p->nbest < limit ? p->nbest++ : p->nbest - 1;
    while (at > 0 && match_before(cur, &p->best[at - 1])) {
        p->best[at] = p->best[at - 1];
        at--;
    }
    p->best[at] = *cur;
}

static int match_range(void *ctx, int pi, size_t lo, size_t hi)
{
    match_scan *x = ctx;
    match_part *p = &x->part[pi];
    talent_match_item cur;
    int64_t considered = 0;
    for (size_t i = lo; i < hi; i++) {
        uint64_t b = x->bits ? x->bits[i] : 1;
        while (b) {
            size_t idx = x->bits ? i * 64 + (size_t)__builtin_ctzll(b) : i;
            b &= b - 1;
            if (idx >= ix.n) break;
            const tix_entry *e = &ix.e[idx];
            if (e->dead) continue;
            talent_vis lvl = level_of(x->s, e);
            if (!sees(e, lvl, TF_CRAFTS) || !has_craft(e, x->craft)) continue;
            considered++;
            score_one(x->nd, x->s, e, lvl, x->craft, x->this_year, x->langs, x->country, x->city,
                      x->currency, false, &cur);
            best_insert(p, x->nd->limit, &cur);
        }
    }
    p->considered = considered;
    return 0;
}

int talent_ix_match(ms_req *r, const talent_need *nd, talent_match_item **items, int *nitems,
                    int64_t *considered)
{
    *items = NULL;
    *nitems = 0;
    *considered = 0;
    int rc = index_acquire(r);
    if (rc) return rc;
    searcher s;
    rc = searcher_load(r, &s);
    if (!rc && nd->window) rc = booked_load(r, &s, nd->from, nd->to);
    uint32_t langs[TALENT_NEED_LANGS] = {0};
    for (int i = 0; i < nd->nlangs; i++) {
        char low[64];
        ms_strlcpy(low, nd->langs[i].tag, sizeof low);
        for (char *p = low; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        langs[i] = st_find(&ix.st[S_LANGS], low);
    }
    match_scan x = {
        .nd = nd,
        .s = &s,
        .craft = st_find(&ix.st[S_CRAFTS], nd->craft),
        .country = nd->country ? st_find(&ix.st[S_COUNTRIES], nd->country) : 0,
        .city = nd->city ? st_find(&ix.st[S_CITIES], nd->city) : 0,
        .currency = nd->currency ? st_find(&ix.st[S_CURRENCIES], nd->currency) : 0,
        .langs = langs,
        .this_year = (int32_t)(1970 + ms_now_ms() / 86400000 / 365.2425),
    };
    for (int pi = 0; pi < 2; pi++) {
        x.part[pi].best = malloc((size_t)(nd->limit + 1) * sizeof *x.part[pi].best);
        if (!rc && !x.part[pi].best) rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    match_part *best = &x.part[0];
    if (!rc && x.craft) {
        int nparts;
        /* Every entry in order, not the craft's bitmap: matching scores each candidate at
         * length, and measured at a million profiles the sequential walk (which the memory
         * streams ahead) costs less than jumping to the craft's entries. */
        size_t n = ix.n;
        if (MATCH_BY_BITMAP && ix.cb_ok && !ix.cb_stale) {
            x.bits = x.craft < ix.ncb ? ix.cb[x.craft] : NULL;
            n = x.bits ? ix.cbw : 0;
        }
        rc = run_parts(match_range, &x, n, x.bits ? ix.n : n, &nparts);
        if (nparts == 2) {
            best->considered += x.part[1].considered;
            for (int i = 0; i < x.part[1].nbest; i++)
                best_insert(best, nd->limit, &x.part[1].best[i]);
        }
    }
    /* The sentences of the few that are answered. */
    for (int i = 0; !rc && i < best->nbest; i++) {
        const tix_entry *e = find_entry(best->best[i].seq);
        score_one(nd, &s, e, level_of(&s, e), x.craft, x.this_year, langs, x.country, x.city,
                  x.currency, true, &best->best[i]);
    }
    index_release();
    if (!rc) {
        int n = best->nbest;
        *items = ms_arena_alloc(r->arena, (size_t)(n ? n : 1) * sizeof **items);
        if (*items && n) memcpy(*items, best->best, (size_t)n * sizeof **items);
        *nitems = *items ? n : 0;
        *considered = best->considered;
    }
    free(x.part[0].best);
    free(x.part[1].best);
    return rc;
}
