/* ema_api.c: POST /orgs/{id}/ema/import and GET /orgs/{id}/ema/export - EMA Avails files in
 * and out of an organization's deals (docs/rights-ema.md has the column map).
 *
 * Import. The body (TSV or CSV, at most EMA_BODY_MAX bytes) is read by rights/ema.c, which
 * checks every cell. Each good row is then mapped onto a title of the catalogue - by EIDR
 * (ContentID), then by other ids (AltID, a ContentID that is not an EIDR id, matched against
 * every value of the titles' other_ids), then by name, kind and parent - and a title that
 * is not there is created (Movie -> feature, Short and Supplemental -> short, Series and
 * Miniseries -> series, Season -> a season under its series, Episode -> an episode under its
 * season or series, both made from the TV columns when missing). Every row becomes one rights
 * row of ONE deal with the licensee of the query, created through rights_deal_create; rows
 * the licensor cannot license (rights_conflicts) are reported by row like bad cells.
 * all_or_nothing=true (default): any problem answers 422 and nothing is written;
 * all_or_nothing=false: the good rows go in. dry_run=true: everything is done, checked and
 * counted inside the request's transaction, then rolled back.
 *
 * With all_or_nothing=false a row that fails after its title was found (no rights to license
 * it, a conflict, a title that cannot be made) must leave nothing behind: when such rows made
 * titles or rights in for themselves, the transaction is rolled back and the import run again
 * without them (their errors kept), at most IMPORT_ATTEMPTS times. The same happens when the
 * deal itself still finds conflicts (among the rows themselves, which the check against the
 * database cannot see).
 *
 * Export. The organization's deals' rights rows, one EMA row per title x territory (groups
 * expanded, exclusions applied) x medium that EMA can say (est, tvod, svod, avod) x language.
 *
 * Not here: XLSX import, EMA's XML, "Full Delete" rows (reported as skipped: a deal is not
 * undone by a spreadsheet), and rights in (except own_rights_in=true, see below). */
#include "rights/ema.h"
#include "rights/rights_internal.h"

#include "core/csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EMA_BODY_MAX    (16 << 20) /* bytes of an import */
#define ERRORS_SHOWN    1000
#define IMPORT_ATTEMPTS 4
#define EXPORT_MAX_ROWS 200000
#define NAME_MAX_BYTES  400
#define DEAL_RIGHTS_MAX 500 /* rights rows a deal takes (deals.c) */
#define CHECK_ROWS      50  /* rows per conflict check */

/* ---- The body of an import (MS_ROUTE_STREAM). ---- */

int rights_ema_on_body(ms_req *r, const char *data, size_t len)
{
    if (!r->module_state && ms_table_body_delim(r->content_type) < 0)
        return ms_req_fail(r, MS_EBADREQ, "unsupported-media-type",
                           "Send the avails as Content-Type: text/tab-separated-values or "
                           "text/csv.");
    return ms_req_body_collect(r, data, len, EMA_BODY_MAX, "An EMA import");
}

/* ---- Query helpers. ---- */

static const char *const deal_statuses[] = {"draft",  "offered", "negotiating", "signed",
                                            "active", "expired", "terminated",  NULL};

static bool status_known(const char *s)
{
    for (int i = 0; deal_statuses[i]; i++)
        if (!strcmp(s, deal_statuses[i])) return true;
    return false;
}

/* ---- The import. ---- */

typedef struct ititle {
    const char *id, *kind, *title;
    bool created; /* by this import */
} ititle;

typedef struct imp {
    ms_req *r;
    rights_org o;
    ema_file f;
    /* Options. */
    bool atomic, dry, own_rights_in;
    const char *status, *licensee_org_id, *licensee_name, *reference, *exclusivity;
    char currency[4];
    /* Rows left out of every attempt (conflicts among the rows), with their errors. */
    bool *excluded;
    json_t *excluded_errors;
    /* One attempt. */
    ititle *t;
    size_t nt, capt;
    json_t *idx; /* key -> index into t */
    bool *bad;   /* per avail */
    json_t *errors;
    size_t errors_total, skipped;
    int64_t titles_created, rights_created, rights_in_created, deals_created;
    char deal_id[MS_ID_LEN]; /* the first deal */
    json_t *deal_ids;
    bool new_exclusions; /* rows failed in this attempt (not atomic) */
    bool last_created;   /* the title title_resolve gave last was created by this import */
} imp;

enum { ATTEMPT_DONE = 0, ATTEMPT_AGAIN = 1 };

static void add_error(imp *im, json_t *err)
{
    im->errors_total++;
    if (json_array_size(im->errors) < ERRORS_SHOWN) json_array_append(im->errors, err);
    json_decref(err);
}

/* A problem with avail `i` found while mapping it (not by the reader). */
static void row_error(imp *im, size_t i, const char *column, json_t *conflict, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void row_error(imp *im, size_t i, const char *column, json_t *conflict, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const ema_avail *a = &im->f.avails[i];
    json_t *e = ms_csv_error_json(a->row, a->line, column, msg);
    if (conflict) json_object_set(e, "conflict", conflict);
    im->bad[i] = true;
    if (!im->atomic) {
        /* The row is left out of the attempts after this one, with its errors (attempt). */
        json_array_append(im->excluded_errors, e);
        if (!im->excluded[i]) im->new_exclusions = true;
        im->excluded[i] = true;
    }
    add_error(im, e);
}

static const char *s_or_null(const char *s)
{
    return s && *s ? s : NULL;
}

/* ---- Titles. ---- */

static int title_add(imp *im, const char *id, const char *kind, const char *title, bool created,
                     size_t *out)
{
    if (im->nt == im->capt) {
        size_t cap = im->capt ? im->capt * 2 : 256;
        ititle *p = realloc(im->t, cap * sizeof *p);
        if (!p) return ms_req_fail(im->r, MS_ENOMEM, NULL, "out of memory");
        im->t = p;
        im->capt = cap;
    }
    ms_arena *a = im->r->arena;
    im->t[im->nt] = (ititle){.id = ms_arena_strdup(a, id),
                             .kind = ms_arena_strdup(a, kind),
                             .title = ms_arena_strdup(a, title ? title : ""),
                             .created = created};
    *out = im->nt++;
    return 0;
}

/* Index keys: "e:<eidr>", "o:<other id>", "n:<kind>\x1f<parent>\x1f<lower-case title>",
 * "s:<series>\x1f<season number>", "p:<parent>\x1f<episode number>". The first title to claim
 * a key keeps it. */
static void key_put(imp *im, const char *key, size_t i)
{
    if (!key || json_object_get(im->idx, key)) return;
    json_object_set_new(im->idx, key, json_integer((json_int_t)i));
}

static bool key_get(imp *im, const char *key, size_t *out)
{
    json_t *v = key ? json_object_get(im->idx, key) : NULL;
    if (!v) return false;
    *out = (size_t)json_integer_value(v);
    return true;
}

static char *lower_dup(ms_arena *a, const char *s)
{
    char *d = ms_arena_strdup(a, s ? s : "");
    if (d)
        for (char *p = d; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return d;
}

static char *name_key(imp *im, const char *kind, const char *parent, const char *title)
{
    return ms_arena_printf(im->r->arena, "n:%s\x1f%s\x1f%s", kind, parent ? parent : "",
                           lower_dup(im->r->arena, title));
}

static void index_title(imp *im, size_t i, const char *parent, const char *eidr,
                        const char *other_ids, int season, int episode)
{
    ms_arena *a = im->r->arena;
    const ititle *t = &im->t[i];
    if (eidr && *eidr) key_put(im, ms_arena_printf(a, "e:%s", eidr), i);
    if (other_ids && *other_ids) {
        json_t *o = json_loads(other_ids, 0, NULL);
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v) if (json_is_string(v) && json_string_length(v))
            key_put(im, ms_arena_printf(a, "o:%s", json_string_value(v)), i);
        json_decref(o);
    }
    key_put(im, name_key(im, t->kind, parent, t->title), i);
    if (!strcmp(t->kind, "season") && parent && season >= 0)
        key_put(im, ms_arena_printf(a, "s:%s\x1f%d", parent, season), i);
    if (!strcmp(t->kind, "episode") && parent && episode >= 0)
        key_put(im, ms_arena_printf(a, "p:%s\x1f%d", parent, episode), i);
}

/* The catalogue: the organization's titles and those it holds rights in on. */
static int titles_load(imp *im)
{
    ms_req *r = im->r;
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT id, kind, title, parent_id, eidr, other_ids, season_number, "
                      "episode_number FROM rights_title WHERE deleted_at IS NULL AND (org_id = ? "
                      "OR id IN (SELECT title_id FROM rights_in WHERE org_id = ? AND deleted_at "
                      "IS NULL)) ORDER BY id",
                      "ss", im->o.org_id, im->o.org_id);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        size_t i;
        if ((rc = title_add(im, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2), false,
                            &i)))
            break;
        index_title(im, i, db_col_text(st, 3), db_col_text(st, 4), db_col_text(st, 5),
                    db_col_null(st, 6) ? -1 : (int)db_col_int(st, 6),
                    db_col_null(st, 7) ? -1 : (int)db_col_int(st, 7));
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* What identifies a title in a row. */
typedef struct tref {
    const char *kind;
    const char *eidr;  /* a ContentID that is an EIDR id */
    const char *other; /* a ContentID that is not */
    const char *alt;
    const char *name;
    int season, episode;
    const char *parent;
    const char *year;
} tref;

static void ids_from(tref *t, const char *content_id, const char *alt_id)
{
    if (content_id && *content_id) {
        if (!strncmp(content_id, "10.5240/", 8))
            t->eidr = content_id;
        else
            t->other = content_id;
    }
    if (alt_id && *alt_id) t->alt = alt_id;
}

/* Find the title of `t`, or create it. `column` names the row's column for the errors. */
static int title_resolve(imp *im, size_t ai, const tref *t, const char *column, size_t *out,
                         bool *bad)
{
    ms_req *r = im->r;
    ms_arena *a = r->arena;
    size_t i;
    *bad = false;
    if ((t->eidr && key_get(im, ms_arena_printf(a, "e:%s", t->eidr), &i)) ||
        (t->alt && key_get(im, ms_arena_printf(a, "o:%s", t->alt), &i)) ||
        (t->other && key_get(im, ms_arena_printf(a, "o:%s", t->other), &i)) ||
        (!strcmp(t->kind, "season") && t->parent && t->season >= 0 &&
         key_get(im, ms_arena_printf(a, "s:%s\x1f%d", t->parent, t->season), &i)) ||
        (!strcmp(t->kind, "episode") && t->parent && t->episode >= 0 &&
         key_get(im, ms_arena_printf(a, "p:%s\x1f%d", t->parent, t->episode), &i)) ||
        (t->name && key_get(im, name_key(im, t->kind, t->parent, t->name), &i))) {
        *out = i;
        im->last_created = im->t[i].created;
        return 0;
    }
    if (!t->name || !*t->name) {
        row_error(im, ai, column, NULL,
                  "no title of the catalogue has this id, and there is no name to create one "
                  "with");
        *bad = true;
        return 0;
    }
    if (strlen(t->name) > NAME_MAX_BYTES) {
        row_error(im, ai, column, NULL, "a title is at most %d bytes", NAME_MAX_BYTES);
        *bad = true;
        return 0;
    }
    json_t *other = json_object();
    if (t->alt) json_object_set_new(other, "ema_alt_id", json_string(t->alt));
    if (t->other) json_object_set_new(other, "ema_content_id", json_string(t->other));
    char *other_s = json_dumps(other, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(other);
    if (!other_s) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    char season[16] = "", episode[16] = "";
    if (t->season >= 0) snprintf(season, sizeof season, "%d", t->season);
    if (t->episode >= 0) snprintf(episode, sizeof episode, "%d", t->episode);
    int rc =
        db_exec(r->db, &r->err,
                "INSERT INTO rights_title (id, org_id, parent_id, kind, title, year, "
                "season_number, episode_number, eidr, other_ids, created_by, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), "
                "CAST(? AS INTEGER), ?, ?, ?, ?, ?)",
                "sssssssssssss", id, im->o.org_id, t->parent, t->kind, t->name, s_or_null(t->year),
                s_or_null(season), s_or_null(episode), t->eidr, other_s, im->o.user_id, now, now);
    if (rc < 0) {
        free(other_s);
        return rc;
    }
    if ((rc = title_add(im, id, t->kind, t->name, true, &i))) {
        free(other_s);
        return rc;
    }
    index_title(im, i, t->parent, t->eidr, other_s, t->season, t->episode);
    free(other_s);
    im->titles_created++;
    if ((rc = rights_title_changed(r, im->o.org_id, id))) return rc;
    *out = i;
    im->last_created = true;
    return 0;
}

static const char *title_kind(ema_work_type wt)
{
    switch (wt) {
    case EMA_WT_MOVIE:
        return "feature";
    case EMA_WT_SHORT:
    case EMA_WT_SUPPLEMENTAL:
        return "short";
    case EMA_WT_EPISODE:
        return "episode";
    case EMA_WT_SEASON:
        return "season";
    case EMA_WT_SERIES:
    case EMA_WT_MINISERIES:
        return "series";
    }
    return "feature";
}

static const char *first_of(const char *a, const char *b, const char *c)
{
    return a && *a ? a : b && *b ? b : c && *c ? c : NULL;
}

/* The title of avail `ai` (creating what is missing); *bad when the row has a problem. */
static int avail_title(imp *im, size_t ai, const char **title_id, bool *bad)
{
    const ema_avail *a = &im->f.avails[ai];
    const char *const *v = a->v;
    int rc;
    size_t i;
    *bad = false;
    if (!ema_work_type_tv(a->work_type)) {
        tref t = {.kind = title_kind(a->work_type),
                  .name = first_of(v[EMA_TITLE_ALIAS], v[EMA_TITLE_DISPLAY], NULL),
                  .season = -1,
                  .episode = -1,
                  .year = v[EMA_RELEASE_YEAR]};
        ids_from(&t, v[EMA_CONTENT_ID], v[EMA_ALT_ID]);
        if ((rc = title_resolve(im, ai, &t, "TitleInternalAlias", &i, bad)) || *bad) return rc;
        *title_id = im->t[i].id;
        return 0;
    }
    /* The series. */
    tref s = {.kind = "series",
              .name = first_of(v[EMA_SERIES_ALIAS], v[EMA_SERIES_DISPLAY],
                               a->work_type == EMA_WT_SERIES || a->work_type == EMA_WT_MINISERIES
                                   ? v[EMA_TITLE_ALIAS]
                                   : NULL),
              .season = -1,
              .episode = -1};
    ids_from(&s, v[EMA_SERIES_CONTENT_ID], v[EMA_SERIES_ALT_ID]);
    if (a->work_type == EMA_WT_SERIES || a->work_type == EMA_WT_MINISERIES) {
        if (!s.eidr && !s.other && !s.alt) ids_from(&s, v[EMA_CONTENT_ID], v[EMA_ALT_ID]);
        s.year = v[EMA_RELEASE_YEAR];
    }
    if ((rc = title_resolve(im, ai, &s, "SeriesTitleInternalAlias", &i, bad)) || *bad) return rc;
    const char *series_id = im->t[i].id;
    if (a->work_type == EMA_WT_SERIES || a->work_type == EMA_WT_MINISERIES) {
        *title_id = series_id;
        return 0;
    }
    /* The season, when the row names one. */
    const char *parent = series_id;
    bool has_season = a->season >= 0 || *v[EMA_SEASON_ALIAS] || *v[EMA_SEASON_CONTENT_ID] ||
                      *v[EMA_SEASON_ALT_ID];
    if (has_season) {
        const char *name = first_of(v[EMA_SEASON_ALIAS], v[EMA_SEASON_DISPLAY], NULL);
        if (!name && a->season >= 0) name = ms_arena_printf(im->r->arena, "Season %d", a->season);
        tref se = {.kind = "season",
                   .name = name,
                   .season = a->season,
                   .episode = -1,
                   .parent = series_id};
        ids_from(&se, v[EMA_SEASON_CONTENT_ID], v[EMA_SEASON_ALT_ID]);
        if (a->work_type == EMA_WT_SEASON) se.year = v[EMA_RELEASE_YEAR];
        if ((rc = title_resolve(im, ai, &se, "SeasonNumber", &i, bad)) || *bad) return rc;
        parent = im->t[i].id;
        if (a->work_type == EMA_WT_SEASON) {
            *title_id = parent;
            return 0;
        }
    }
    /* The episode. */
    const char *name = first_of(v[EMA_EPISODE_ALIAS], v[EMA_EPISODE_DISPLAY], v[EMA_TITLE_ALIAS]);
    if (!name && a->episode >= 0) name = ms_arena_printf(im->r->arena, "Episode %d", a->episode);
    tref ep = {.kind = "episode",
               .name = name,
               .season = -1,
               .episode = a->episode,
               .parent = parent,
               .year = v[EMA_RELEASE_YEAR]};
    ids_from(&ep, *v[EMA_EPISODE_CONTENT_ID] ? v[EMA_EPISODE_CONTENT_ID] : v[EMA_CONTENT_ID],
             *v[EMA_EPISODE_ALT_ID] ? v[EMA_EPISODE_ALT_ID] : v[EMA_ALT_ID]);
    if ((rc = title_resolve(im, ai, &ep, "EpisodeTitleInternalAlias", &i, bad)) || *bad) return rc;
    *title_id = im->t[i].id;
    return 0;
}

/* ---- Rows into deal rights. ---- */

/* LicenseType -> medium (docs/rights-ema.md). */
static const char *license_media(ema_license_type lt)
{
    switch (lt) {
    case EMA_LT_EST:
    case EMA_LT_POEST:
        return "est";
    case EMA_LT_VOD:
    case EMA_LT_PVOD:
    case EMA_LT_TVOD:
        return "tvod";
    case EMA_LT_SVOD:
        return "svod";
    case EMA_LT_AVOD:
    case EMA_LT_FVOD:
        return "avod";
    }
    return "est";
}

static json_t *avail_languages(const ema_avail *a)
{
    json_t *langs = json_array();
    if (!a->language[0]) return langs; /* every language */
    json_t *kinds = json_array();
    switch (a->localization) {
    case EMA_LOC_SUB:
        json_array_append_new(kinds, json_string("subtitled"));
        break;
    case EMA_LOC_DUB:
        json_array_append_new(kinds, json_string("dubbed"));
        break;
    case EMA_LOC_SUBDUB:
        json_array_append_new(kinds, json_string("dubbed"));
        json_array_append_new(kinds, json_string("subtitled"));
        break;
    case EMA_LOC_NONE:
    case EMA_LOC_ANY:
        break; /* every kind */
    }
    if (json_array_size(kinds))
        json_array_append_new(langs, json_pack("{s:s,s:o}", "tag", a->language, "kinds", kinds));
    else {
        json_decref(kinds);
        json_array_append_new(langs, json_string(a->language));
    }
    return langs;
}

static json_t *avail_right(const imp *im, const ema_avail *a, const char *title_id)
{
    char start[11], end[11];
    dims_date_fmt(a->start, start);
    json_t *j = json_pack("{s:s,s:[s],s:[s],s:o,s:s,s:s}", "title_id", title_id, "territories",
                          a->territory, "media", license_media(a->license_type), "languages",
                          avail_languages(a), "start", start, "exclusivity", im->exclusivity);
    if (a->open)
        json_object_set_new(j, "end", json_null());
    else {
        dims_date_fmt(a->end, end);
        json_object_set_new(j, "end", json_string(end));
    }
    if (a->price_kind == EMA_PRICE_MONEY)
        json_object_set_new(j, "allocation", json_string(a->v[EMA_PRICE_VALUE]));
    return j;
}

/* Rights in for a title this import created (own_rights_in=true): what the row licenses. */
static int own_right_in(imp *im, const ema_avail *a, const char *title_id)
{
    ms_req *r = im->r;
    char id[MS_ID_LEN], now[MS_TIME_LEN], start[11], end[11];
    ms_uuid7(id);
    ms_now_str(now);
    dims_date_fmt(a->start, start);
    if (!a->open) dims_date_fmt(a->end, end);
    json_t *langs = avail_languages(a);
    char *ls = json_dumps(langs, JSON_COMPACT);
    json_decref(langs);
    char *terr = ms_arena_printf(r->arena, "{\"include\":[\"%s\"],\"exclude\":[]}", a->territory);
    char *media = ms_arena_printf(r->arena, "[\"%s\"]", license_media(a->license_type));
    int rc = db_exec(r->db, &r->err,
                     "INSERT INTO rights_in (id, org_id, title_id, source, contract_ref, "
                     "territories, media, languages, start_date, end_date, exclusivity, notes, "
                     "created_by, created_at, updated_at) VALUES (?, ?, ?, 'own_production', '', "
                     "?, ?, ?, ?, ?, 'exclusive', ?, ?, ?, ?)",
                     "ssssssssssss", id, im->o.org_id, title_id, terr, media, ls ? ls : "[]", start,
                     a->open ? NULL : end, "recorded by an EMA import", im->o.user_id, now, now);
    free(ls);
    if (rc < 0) return rc;
    im->rights_in_created++;
    return 0;
}

/* The avail index behind each conflict of `conflicts` ("right": i into map). */
static void conflicts_to_rows(imp *im, const json_t *conflicts, const size_t *map, size_t nmap)
{
    size_t k;
    json_t *c;
    json_array_foreach(conflicts, k, c)
    {
        json_t *ri = json_object_get(c, "right");
        if (!json_is_integer(ri)) continue;
        json_int_t x = json_integer_value(ri);
        if (x < 0 || (size_t)x >= nmap) continue;
        size_t ai = map[x];
        const char *reason = rights_or(ms_json_str(c, "reason"), "conflict");
        const char *who = ms_json_str(c, "licensee_name");
        const char *ref = ms_json_str(c, "reference");
        const char *media = rights_or(ms_json_str(c, "media"), "?");
        const char *start = rights_or(ms_json_str(c, "start"), "?");
        const char *end = rights_or(ms_json_str(c, "end"), "open");
        const char *terr = im->f.avails[ai].territory;
        if (!strcmp(reason, "no_rights") || !strcmp(reason, "rights_level"))
            row_error(im, ai, NULL, c,
                      "%s %s from %s to %s: the organization holds no rights in to license (%s)",
                      terr, media, start, end, reason);
        else if (who)
            row_error(im, ai, NULL, c,
                      "%s %s from %s to %s is not available: %s (licensed to %s%s%s)", terr, media,
                      start, end, reason, who, ref && *ref ? ", deal " : "",
                      ref && *ref ? ref : "");
        else
            row_error(im, ai, NULL, c, "%s %s from %s to %s is not available: %s", terr, media,
                      start, end, reason);
    }
}

/* Whether a conflict list was cut short (conflicts.c lists at most so many, then a "more"). */
static bool conflicts_cut(const json_t *conflicts)
{
    size_t k;
    json_t *c;
    json_array_foreach(conflicts, k, c) if (!json_object_get(c, "right")) return true;
    return false;
}

/* The conflicts of rights rows rights[from, to) (map: their avails) as row errors. */
static int check_slice(imp *im, const json_t *rights, const size_t *map, size_t from, size_t to,
                       bool *cut)
{
    json_t *slice = json_array();
    for (size_t k = from; k < to; k++)
        json_array_append(slice, json_array_get(rights, k));
    json_t *conflicts = NULL;
    int rc = rights_conflicts(im->r, &im->o, slice, NULL, &conflicts);
    json_decref(slice);
    if (rc) return rc;
    conflicts_to_rows(im, conflicts, map + from, to - from);
    *cut = conflicts_cut(conflicts);
    json_decref(conflicts);
    return 0;
}

/* What the organization may license (rights in, deals, holdbacks in the database), asked
 * CHECK_ROWS rows at a time; when a list of conflicts was cut short, the rows of that slice not
 * yet found bad are asked one by one, so that no conflicting row goes unreported. */
static int check_rows(imp *im, const json_t *rights, const size_t *map, size_t nr)
{
    for (size_t from = 0; from < nr; from += CHECK_ROWS) {
        size_t to = from + CHECK_ROWS < nr ? from + CHECK_ROWS : nr;
        bool cut = false;
        int rc = check_slice(im, rights, map, from, to, &cut);
        if (rc) return rc;
        for (size_t k = from; cut && k < to; k++) {
            bool one_cut;
            if (!im->bad[map[k]] && (rc = check_slice(im, rights, map, k, k + 1, &one_cut)))
                return rc;
        }
    }
    return 0;
}

static void attempt_reset(imp *im)
{
    free(im->t);
    im->t = NULL;
    im->nt = im->capt = 0;
    json_decref(im->idx);
    im->idx = json_object();
    json_decref(im->errors);
    im->errors = json_array();
    im->errors_total = 0;
    im->skipped = 0;
    im->titles_created = im->rights_created = im->rights_in_created = im->deals_created = 0;
    im->deal_id[0] = 0;
    json_decref(im->deal_ids);
    im->deal_ids = json_array();
    im->new_exclusions = false;
    memset(im->bad, 0, (im->f.navails ? im->f.navails : 1) * sizeof *im->bad);
    /* The reader's problems, then the rows left out by earlier attempts. */
    for (size_t i = 0; i < im->f.nissues; i++) {
        const ema_issue *is = &im->f.issues[i];
        add_error(im, ms_csv_error_json(is->row, is->line, is->column, is->message));
    }
    im->errors_total += im->f.issues_total - im->f.nissues;
    size_t k;
    json_t *e;
    json_array_foreach(im->excluded_errors, k, e) add_error(im, json_incref(e));
}

/* One attempt: titles, rights rows, the conflict check, the deal. */
static int attempt(imp *im)
{
    ms_req *r = im->r;
    attempt_reset(im);
    int rc = titles_load(im);
    if (rc) return rc;
    size_t n = im->f.navails;
    const char **tid = calloc(n ? n : 1, sizeof *tid);
    size_t *map = calloc(n ? n : 1, sizeof *map);
    json_t *rights = json_array();
    if (!tid || !map) {
        rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const ema_avail *a = &im->f.avails[i];
        if (im->excluded[i]) continue;
        if (a->full_delete) {
            im->skipped++;
            continue;
        }
        const char *cur = a->v[EMA_PRICE_CURRENCY];
        if (a->price_kind == EMA_PRICE_MONEY && *cur && strcmp(cur, im->currency)) {
            row_error(im, i, "PriceCurrency", NULL,
                      "is %s, but the deal is in %s: import one currency at a time (?currency=)",
                      cur, im->currency);
            continue;
        }
        if (a->price_kind == EMA_PRICE_MONEY) {
            int64_t minor;
            ms_error e;
            ms_error_clear(&e);
            json_t *amt = json_string(a->v[EMA_PRICE_VALUE]);
            int bad = ms_money_parse(amt, im->currency, &minor, "PriceValue", &e);
            json_decref(amt);
            if (bad) {
                row_error(im, i, "PriceValue", NULL, "%s",
                          e.nfields ? e.fields[0].message : e.detail);
                continue;
            }
        }
        bool bad;
        if ((rc = avail_title(im, i, &tid[i], &bad))) goto out;
        if (bad) continue;
        /* Rights in only for titles this import created: what the organization already has
         * is its own word. (The row's title is the last one avail_title resolved.) */
        if (im->own_rights_in && im->last_created) {
            if ((rc = own_right_in(im, a, tid[i])) ||
                (rc = rights_title_changed(r, im->o.org_id, tid[i])))
                goto out;
        }
    }
    /* What the organization may license (rights in, deals, holdbacks in the database). */
    size_t nr = 0;
    for (size_t i = 0; i < n; i++) {
        if (im->excluded[i] || im->bad[i] || im->f.avails[i].full_delete || !tid[i]) continue;
        json_array_append_new(rights, avail_right(im, &im->f.avails[i], tid[i]));
        map[nr++] = i;
    }
    if ((rc = check_rows(im, rights, map, nr))) goto out;
    /* Rows that failed here may have made titles or rights in for themselves alone: when some
     * did and the good rows are to be kept, start over without the failed rows, so that
     * nothing is written for a row that is not imported. */
    if (!im->atomic && im->new_exclusions && (im->titles_created || im->rights_in_created)) {
        rc = ATTEMPT_AGAIN;
        goto out;
    }
    if (im->atomic && im->errors_total) goto out; /* the caller answers 422 */
    /* The deal, with the rows left: one deal per DEAL_RIGHTS_MAX rows (what a deal takes). */
    size_t *gmap = calloc(nr ? nr : 1, sizeof *gmap);
    size_t ng = 0;
    if (!gmap) {
        rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < nr; k++)
        if (!im->bad[map[k]]) gmap[ng++] = k;
    size_t parts = (ng + DEAL_RIGHTS_MAX - 1) / DEAL_RIGHTS_MAX;
    for (size_t part = 0; part < parts && !rc; part++) {
        size_t from = part * DEAL_RIGHTS_MAX,
               to = from + DEAL_RIGHTS_MAX < ng ? from + DEAL_RIGHTS_MAX : ng;
        json_t *good = json_array();
        int64_t fee = 0;
        for (size_t k = from; k < to; k++) {
            json_t *row = json_array_get(rights, gmap[k]);
            json_array_append(good, row);
            json_t *al = json_object_get(row, "allocation");
            int64_t minor = 0;
            ms_error ae;
            ms_error_clear(&ae);
            if (al && !ms_money_parse(al, im->currency, &minor, "allocation", &ae)) fee += minor;
        }
        char fee_s[48];
        ms_money_fmt(fee, im->currency, fee_s, sizeof fee_s);
        const char *ref = im->reference;
        if (parts > 1)
            ref = ms_arena_printf(r->arena, "%s%s(%zu/%zu)", ref, *ref ? " " : "", part + 1, parts);
        json_t *body = json_pack("{s:s,s:s,s:s,s:o}", "currency", im->currency, "fee", fee_s,
                                 "reference", ref, "rights", good);
        if (im->licensee_org_id)
            json_object_set_new(body, "licensee_org_id", json_string(im->licensee_org_id));
        if (im->licensee_name)
            json_object_set_new(body, "licensee_name", json_string(im->licensee_name));
        json_object_set_new(
            body, "notes",
            json_sprintf("Imported from an EMA avails file (%zu rows).", im->f.rows));
        char id[MS_ID_LEN];
        rc = rights_deal_create(r, &im->o, body, im->status, NULL, id);
        json_decref(body);
        if (rc == MS_ECONFLICT && r->problem) {
            /* Conflicts the check above could not see (among the rows themselves). The deal
             * was refused before anything of it was written. */
            json_t *cs = json_object_get(r->problem, "conflicts");
            size_t *slice = calloc(to - from, sizeof *slice);
            if (!slice) {
                rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            for (size_t k = from; k < to; k++)
                slice[k - from] = map[gmap[k]];
            conflicts_to_rows(im, cs, slice, to - from);
            free(slice);
            json_decref(r->problem);
            r->problem = NULL;
            ms_error_clear(&r->err);
            rc = im->atomic ? 0 : ATTEMPT_AGAIN;
        } else if (!rc) {
            if (!im->deal_id[0]) ms_strlcpy(im->deal_id, id, sizeof im->deal_id);
            json_array_append_new(im->deal_ids, json_string(id));
            im->deals_created++;
            im->rights_created += (int64_t)(to - from);
        }
    }
    free(gmap);
out:
    json_decref(rights);
    free(tid);
    free(map);
    return rc;
}

/* Undo everything: the request's transaction is rolled back and an empty one begun (as
 * production's import does; the server then commits nothing). */
static int undo(imp *im)
{
    db_rollback(im->r->db);
    return db_begin(im->r->db, DB_TX_WRITE, &im->r->err);
}

static void imp_free(imp *im)
{
    ema_file_free(&im->f);
    free(im->t);
    free(im->bad);
    free(im->excluded);
    json_decref(im->idx);
    json_decref(im->errors);
    json_decref(im->excluded_errors);
    json_decref(im->deal_ids);
}

static int imp_options(imp *im)
{
    ms_req *r = im->r;
    int rc;
    if ((rc = ms_req_query_bool(r, "all_or_nothing", true, &im->atomic)) ||
        (rc = ms_req_query_bool(r, "dry_run", false, &im->dry)) ||
        (rc = ms_req_query_bool(r, "own_rights_in", false, &im->own_rights_in)))
        return rc;
    im->status = ms_req_query(r, "status");
    if (!im->status) im->status = "signed";
    if (strcmp(im->status, "draft") && strcmp(im->status, "offered") &&
        strcmp(im->status, "negotiating") && strcmp(im->status, "signed"))
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "status must be draft, offered, negotiating or signed.");
    im->exclusivity = ms_req_query(r, "exclusivity");
    if (!im->exclusivity) im->exclusivity = "non_exclusive";
    int ex = dims_excl_parse(im->exclusivity);
    if (ex < 0)
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "exclusivity must be exclusive, sole or non_exclusive.");
    im->exclusivity = dims_excl_name(ex);
    im->reference = ms_req_query(r, "reference");
    if (!im->reference) im->reference = "";
    if (strlen(im->reference) > 200 || !ms_str_is_clean_text(im->reference, 200, false))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "reference is at most 200 characters.");
    const char *cur = ms_req_query(r, "currency");
    if (cur && !ms_currency_valid(cur))
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "currency must be an ISO 4217 code in upper case (USD, EUR).");
    ms_strlcpy(im->currency, cur ? cur : "", sizeof im->currency);
    im->licensee_org_id = ms_req_query(r, "licensee_org_id");
    im->licensee_name = ms_req_query(r, "licensee_name");
    if (!im->licensee_org_id && !im->licensee_name)
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "Say who licenses the avails: licensee_org_id (an organization here) or "
                           "licensee_name.");
    if (im->licensee_name &&
        (!*im->licensee_name || !ms_str_is_clean_text(im->licensee_name, 200, false)))
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "licensee_name is 1 to 200 characters of text.");
    if (im->licensee_org_id) {
        if (!ms_uuid_valid(im->licensee_org_id))
            return ms_req_fail(r, MS_EBADREQ, "bad-query", "licensee_org_id is not an id.");
        if (!strcmp(im->licensee_org_id, ms_req_param(r, "id")))
            return ms_req_fail(r, MS_EBADREQ, "bad-query",
                               "licensee_org_id is the licensor itself.");
    }
    return 0;
}

/* POST /orgs/{id}/ema/import?licensee_org_id=|licensee_name=&status=&all_or_nothing=&dry_run=
 * &currency=&exclusivity=&reference=&own_rights_in= with the avails file as the body. */
int h_rights_ema_import(ms_req *r)
{
    static const char *const allowed[] = {
        "licensee_org_id", "licensee_name", "status",    "all_or_nothing", "dry_run",
        "currency",        "exclusivity",   "reference", "own_rights_in",  NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    imp im = {.r = r};
    im.excluded_errors = json_array();
    if ((rc = imp_options(&im))) goto out;
    if ((rc = rights_org_get(r, ms_req_param(r, "id"), &im.o)) ||
        (rc = rights_require(r, &im.o, LEVEL_EDIT, "import avails")))
        goto out;
    bool signing = !strcmp(im.status, "signed");
    if (signing && (rc = rights_require(r, &im.o, LEVEL_MANAGE,
                                        "import avails as a signed deal (import with "
                                        "status=draft)")))
        goto out;
    size_t blen;
    const char *body = ms_req_body_text(r, &blen);
    if (!blen) {
        rc = ms_req_fail(r, MS_EINVAL, "validation",
                         "The file is empty: send the EMA avails (TSV or CSV) as the body.");
        goto out;
    }
    int delim = ms_table_body_delim(r->content_type);
    ms_error e;
    ms_error_clear(&e);
    rc = ema_parse(body, blen, (char)(delim < 0 ? 0 : delim), r->arena, &im.f, &e);
    if (rc) {
        r->err = e;
        goto out;
    }
    /* The deal's currency: the query's, else the file's first PriceCurrency, else USD. */
    if (!im.currency[0]) {
        for (size_t i = 0; i < im.f.navails && !im.currency[0]; i++)
            if (*im.f.avails[i].v[EMA_PRICE_CURRENCY])
                ms_strlcpy(im.currency, im.f.avails[i].v[EMA_PRICE_CURRENCY], sizeof im.currency);
        if (!im.currency[0]) ms_strlcpy(im.currency, "USD", sizeof im.currency);
        if (!ms_currency_valid(im.currency)) {
            rc = ms_req_fail(r, MS_EINVAL, "validation",
                             "PriceCurrency %s is not an ISO 4217 currency.", im.currency);
            goto out;
        }
    }
    if (im.licensee_org_id) {
        db_stmt *st;
        rc = db_query_row(r->db, &st, &r->err, "SELECT name FROM org WHERE id = ?", "s",
                          im.licensee_org_id);
        if (rc < 0) goto out;
        if (rc == DB_DONE) {
            rc = ms_field_fail(&r->err, "licensee_org_id", "no such organization");
            goto out;
        }
        db_done(st);
    }
    im.bad = calloc(im.f.navails ? im.f.navails : 1, sizeof *im.bad);
    im.excluded = calloc(im.f.navails ? im.f.navails : 1, sizeof *im.excluded);
    if (!im.bad || !im.excluded) {
        rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (int k = 0;; k++) {
        rc = attempt(&im);
        if (rc != ATTEMPT_AGAIN) break;
        if ((rc = undo(&im))) goto out;
        if (k + 1 >= IMPORT_ATTEMPTS) {
            rc = ms_req_fail(r, MS_ECONFLICT, "rights-conflict",
                             "The rows conflict with each other in ways that did not settle in "
                             "%d attempts; import them in smaller files.",
                             IMPORT_ATTEMPTS);
            goto out;
        }
    }
    if (rc) goto out;
    bool failed = im.atomic && im.errors_total > 0;
    if ((failed || im.dry) && (rc = undo(&im))) goto out;
    int64_t z = failed ? 0 : 1;
    json_t *res = json_object();
    json_object_set_new(res, "rows", json_integer((json_int_t)im.f.rows));
    json_object_set_new(res, "deals_created", json_integer(im.deals_created * z));
    json_object_set_new(res, "rights_created", json_integer(im.rights_created * z));
    json_object_set_new(res, "titles_created", json_integer(im.titles_created * z));
    json_object_set_new(res, "rights_in_created", json_integer(im.rights_in_created * z));
    json_object_set_new(res, "skipped", json_integer((json_int_t)im.skipped));
    json_object_set_new(res, "deal_id",
                        im.deal_id[0] && !failed && !im.dry ? json_string(im.deal_id)
                                                            : json_null());
    json_object_set_new(res, "deal_ids",
                        !failed && !im.dry ? json_incref(im.deal_ids) : json_array());
    json_object_set_new(res, "currency", json_string(im.currency));
    json_object_set_new(res, "sheet", json_string(im.f.tv ? "tv" : "movie"));
    json_object_set_new(res, "dry_run", json_boolean(im.dry));
    json_object_set_new(res, "all_or_nothing", json_boolean(im.atomic));
    json_t *ign = json_array();
    for (size_t i = 0; i < im.f.nignored; i++)
        json_array_append_new(ign, json_string(im.f.ignored[i]));
    json_object_set_new(res, "ignored_columns", ign);
    json_object_set(res, "errors", im.errors);
    json_object_set_new(res, "more_errors",
                        json_integer((json_int_t)(im.errors_total - json_array_size(im.errors))));
    if (failed) {
        rc = ms_reply_problem(r, 422, "validation", "The avails have errors", res,
                              "%zu problems in %zu rows; nothing was imported. Fix them, or "
                              "import with all_or_nothing=false to take the good rows.",
                              im.errors_total, im.f.rows);
        goto out;
    }
    if (!im.dry && (im.deals_created || im.titles_created)) {
        json_t *data = json_pack("{s:I,s:I,s:I,s:I,s:I}", "rows", (json_int_t)im.f.rows,
                                 "rights_created", (json_int_t)im.rights_created, "titles_created",
                                 (json_int_t)im.titles_created, "errors",
                                 (json_int_t)im.errors_total, "skipped", (json_int_t)im.skipped);
        rc = rights_event(r, &im.o, "rights.ema_imported", im.deal_id[0] ? "deal" : "org",
                          im.deal_id[0] ? im.deal_id : im.o.org_id, data,
                          "EMA import: %lld rights, %lld titles created, %zu problems",
                          (long long)im.rights_created, (long long)im.titles_created,
                          im.errors_total);
        json_decref(data);
        if (rc) {
            json_decref(res);
            goto out;
        }
    }
    rc = ms_reply(r, 200, res);
out:
    imp_free(&im);
    return rc;
}

/* ---- Export. ---- */

typedef struct exp_title {
    const char *title, *kind, *eidr, *alt, *content;
    int season, episode;
} exp_title;

static void exp_title_from(ms_arena *a, db_stmt *st, int c, exp_title *t)
{
    memset(t, 0, sizeof *t);
    t->season = t->episode = -1;
    if (db_col_null(st, c)) return;
    t->title = ms_arena_strdup(a, db_col_text(st, c));
    t->kind = ms_arena_strdup(a, db_col_text(st, c + 1));
    t->eidr = db_col_null(st, c + 2) ? "" : ms_arena_strdup(a, db_col_text(st, c + 2));
    json_t *o = json_loads(db_col_text(st, c + 3) ? db_col_text(st, c + 3) : "{}", 0, NULL);
    const char *alt = ms_json_str(o, "ema_alt_id"), *cid = ms_json_str(o, "ema_content_id");
    t->alt = ms_arena_strdup(a, alt ? alt : "");
    t->content = ms_arena_strdup(a, cid ? cid : "");
    json_decref(o);
    if (!db_col_null(st, c + 4)) t->season = (int)db_col_int(st, c + 4);
    if (!db_col_null(st, c + 5)) t->episode = (int)db_col_int(st, c + 5);
}

static ema_work_type work_type_of(const char *kind)
{
    if (!kind) return EMA_WT_MOVIE;
    if (!strcmp(kind, "episode")) return EMA_WT_EPISODE;
    if (!strcmp(kind, "season")) return EMA_WT_SEASON;
    if (!strcmp(kind, "series")) return EMA_WT_SERIES;
    if (!strcmp(kind, "short")) return EMA_WT_SHORT;
    return EMA_WT_MOVIE;
}

/* Medium -> LicenseType; NULL for media EMA cannot say. */
static const char *media_license(const char *m)
{
    if (!strcmp(m, "est")) return "EST";
    if (!strcmp(m, "tvod")) return "VOD";
    if (!strcmp(m, "svod")) return "SVOD";
    if (!strcmp(m, "avod")) return "AVOD";
    return NULL;
}

static const char *num_text(ms_arena *a, int n)
{
    return n >= 0 ? ms_arena_printf(a, "%d", n) : "";
}

typedef struct exp_rows {
    ema_avail *v;
    size_t n, cap;
} exp_rows;

static ema_avail *exp_push(exp_rows *x)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        ema_avail *p = realloc(x->v, cap * sizeof *p);
        if (!p) return NULL;
        x->v = p;
        x->cap = cap;
    }
    ema_avail *a = &x->v[x->n++];
    ema_avail_init(a);
    return a;
}

/* GET /orgs/{id}/ema/export?format=tsv|csv|xlsx&status=&licensee_org_id=&title_id= */
int h_rights_ema_export(ms_req *r)
{
    static const char *const allowed[] = {"format", "status", "licensee_org_id", "title_id", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    const char *format = ms_req_query(r, "format");
    if (!format) format = "tsv";
    if (strcmp(format, "tsv") && strcmp(format, "csv") && strcmp(format, "xlsx"))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "format must be tsv, csv or xlsx.");
    const char *status = ms_req_query(r, "status");
    if (status && !status_known(status))
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "status must be draft, offered, negotiating, signed, active, expired "
                           "or terminated.");
    const char *licensee = ms_req_query(r, "licensee_org_id");
    if (licensee && !ms_uuid_valid(licensee))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "licensee_org_id is not an id.");
    const char *title_id = ms_req_query(r, "title_id");
    if (title_id && !ms_uuid_valid(title_id))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "title_id is not an id.");
    rights_org o;
    if ((rc = rights_org_get(r, ms_req_param(r, "id"), &o))) return rc;
    ms_arena *a = r->arena;
    db_stmt *st;
    rc =
        db_query(r->db, &st, &r->err,
                 "SELECT d.id, d.reference, d.currency, x.id, x.territories, x.media, x.languages, "
                 "x.start_date, x.end_date, x.allocation, "
                 "t.title, t.kind, t.eidr, t.other_ids, t.season_number, t.episode_number, "
                 "p.title, p.kind, p.eidr, p.other_ids, p.season_number, p.episode_number, "
                 "g.title, g.kind, g.eidr, g.other_ids, g.season_number, g.episode_number "
                 "FROM rights_deal_right x JOIN rights_deal d ON d.id = x.deal_id "
                 "JOIN rights_title t ON t.id = x.title_id "
                 "LEFT JOIN rights_title p ON p.id = t.parent_id "
                 "LEFT JOIN rights_title g ON g.id = p.parent_id "
                 "WHERE d.org_id = ? AND d.deleted_at IS NULL AND (? IS NULL OR d.status = ?) "
                 "AND (? IS NULL OR d.licensee_org_id = ?) AND (? IS NULL OR x.title_id = ?) "
                 "ORDER BY d.id, x.position, x.id",
                 "sssssss", o.org_id, status, status, licensee, licensee, title_id, title_id);
    if (rc) return rc;
    exp_rows rows = {0};
    size_t media_skipped = 0;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        const char *deal_id = ms_arena_strdup(a, db_col_text(st, 0));
        const char *reference = ms_arena_strdup(a, db_col_text(st, 1));
        const char *currency = ms_arena_strdup(a, db_col_text(st, 2));
        const char *right_id = ms_arena_strdup(a, db_col_text(st, 3));
        json_t *terr = json_loads(db_col_text(st, 4), 0, NULL);
        json_t *media = json_loads(db_col_text(st, 5), 0, NULL);
        json_t *langs = json_loads(db_col_text(st, 6), 0, NULL);
        const char *start = ms_arena_strdup(a, db_col_text(st, 7));
        const char *end = db_col_null(st, 8) ? NULL : ms_arena_strdup(a, db_col_text(st, 8));
        bool has_alloc = !db_col_null(st, 9);
        int64_t alloc = db_col_int(st, 9);
        exp_title t, p, g;
        exp_title_from(a, st, 10, &t);
        exp_title_from(a, st, 16, &p);
        exp_title_from(a, st, 22, &g);
        av_terrs ts;
        ms_error e;
        json_t *codes = NULL;
        if (terr && !dims_terr_parse(terr, &ts, NULL, &e)) codes = dims_terr_codes(&ts);
        json_decref(terr);
        /* End: EMA's is the first day no longer available. */
        const char *ema_end = "Open";
        av_day ed;
        if (end && dims_date_parse(end, &ed)) {
            char buf[11];
            dims_date_fmt(ed + 1, buf);
            ema_end = ms_arena_strdup(a, buf);
        }
        /* The languages: [] (one row, no language), or one row per entry. */
        size_t nl = json_array_size(langs);
        size_t nm = json_array_size(media), nt = json_array_size(codes);
        size_t total = nt * nm * (nl ? nl : 1);
        for (size_t mi = 0; mi < nm; mi++) {
            const char *m = json_string_value(json_array_get(media, mi));
            const char *lt = m ? media_license(m) : NULL;
            if (!lt) {
                media_skipped++;
                total -= nt * (nl ? nl : 1);
                continue;
            }
            for (size_t li = 0; li < (nl ? nl : 1); li++) {
                const char *tag = "", *loc = "";
                if (nl) {
                    json_t *l = json_array_get(langs, li);
                    json_t *kinds = NULL;
                    if (json_is_string(l))
                        tag = json_string_value(l);
                    else {
                        tag = ms_json_str(l, "tag");
                        kinds = json_object_get(l, "kinds");
                    }
                    bool dub = false, sub = false, orig = false;
                    size_t k;
                    json_t *kv;
                    json_array_foreach(kinds, k, kv)
                    {
                        const char *ks = json_string_value(kv);
                        dub |= ks && !strcmp(ks, "dubbed");
                        sub |= ks && !strcmp(ks, "subtitled");
                        orig |= ks && !strcmp(ks, "original");
                    }
                    if (!orig && dub && sub)
                        loc = "subdub";
                    else if (!orig && dub)
                        loc = "dub";
                    else if (!orig && sub)
                        loc = "sub";
                    if (!tag) tag = "";
                }
                for (size_t ci = 0; ci < nt; ci++) {
                    if (rows.n >= EXPORT_MAX_ROWS) {
                        rc = ms_req_fail(r, MS_ETOOBIG, "too-many-rows",
                                         "The export would pass %d rows; filter it by status, "
                                         "licensee_org_id or title_id.",
                                         EXPORT_MAX_ROWS);
                        break;
                    }
                    ema_avail *av = exp_push(&rows);
                    if (!av) {
                        rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                        break;
                    }
                    const char **v = av->v;
                    av->work_type = work_type_of(t.kind);
                    v[EMA_DISPLAY_NAME] = o.org_name;
                    v[EMA_STORE_LANGUAGE] = ms_arena_strdup(a, tag);
                    v[EMA_LOCALIZATION] = loc;
                    /* The table's static string, not the JSON array's copy. */
                    int ti = dims_terr_index(json_string_value(json_array_get(codes, ci)));
                    v[EMA_TERRITORY] = ti >= 0 ? dims_terr_code(ti) : "";
                    v[EMA_WORK_TYPE] = ema_work_type_name(av->work_type);
                    v[EMA_ENTRY_TYPE] = "Full Extract";
                    v[EMA_LICENSE_TYPE] = lt;
                    v[EMA_START] = start;
                    v[EMA_END] = ema_end;
                    v[EMA_CONTRACT_ID] = *reference ? reference : deal_id;
                    v[EMA_AVAIL_ID] = right_id;
                    if (total == 1 && has_alloc) {
                        char amt[48];
                        ms_money_fmt(alloc, currency, amt, sizeof amt);
                        v[EMA_PRICE_TYPE] = "WSP";
                        v[EMA_PRICE_VALUE] = ms_arena_strdup(a, amt);
                        v[EMA_PRICE_CURRENCY] = currency;
                    }
                    const char *cid = *t.eidr ? t.eidr : t.content;
                    switch (av->work_type) {
                    case EMA_WT_EPISODE: {
                        const exp_title *series = p.kind && !strcmp(p.kind, "season") ? &g : &p;
                        const exp_title *season = p.kind && !strcmp(p.kind, "season") ? &p : NULL;
                        v[EMA_SERIES_ALIAS] = series->title ? series->title : "";
                        v[EMA_SERIES_CONTENT_ID] =
                            series->title ? (*series->eidr ? series->eidr : series->content) : "";
                        v[EMA_SERIES_ALT_ID] = series->title ? series->alt : "";
                        if (season) {
                            v[EMA_SEASON_NUMBER] = num_text(a, season->season);
                            v[EMA_SEASON_ALIAS] = season->title;
                            v[EMA_SEASON_CONTENT_ID] =
                                *season->eidr ? season->eidr : season->content;
                            v[EMA_SEASON_ALT_ID] = season->alt;
                        }
                        v[EMA_EPISODE_NUMBER] = num_text(a, t.episode);
                        v[EMA_EPISODE_ALIAS] = t.title;
                        v[EMA_EPISODE_CONTENT_ID] = cid;
                        v[EMA_EPISODE_ALT_ID] = t.alt;
                        break;
                    }
                    case EMA_WT_SEASON:
                        v[EMA_SERIES_ALIAS] = p.title ? p.title : "";
                        v[EMA_SERIES_CONTENT_ID] = p.title ? (*p.eidr ? p.eidr : p.content) : "";
                        v[EMA_SERIES_ALT_ID] = p.title ? p.alt : "";
                        v[EMA_SEASON_NUMBER] = num_text(a, t.season);
                        v[EMA_SEASON_ALIAS] = t.title;
                        v[EMA_SEASON_CONTENT_ID] = cid;
                        v[EMA_SEASON_ALT_ID] = t.alt;
                        break;
                    case EMA_WT_SERIES:
                    case EMA_WT_MINISERIES:
                        v[EMA_SERIES_ALIAS] = t.title;
                        v[EMA_SERIES_CONTENT_ID] = cid;
                        v[EMA_SERIES_ALT_ID] = t.alt;
                        break;
                    default:
                        v[EMA_TITLE_ALIAS] = t.title;
                        v[EMA_CONTENT_ID] = cid;
                        v[EMA_ALT_ID] = t.alt;
                        break;
                    }
                }
                if (rc < 0) break;
            }
            if (rc < 0) break;
        }
        json_decref(media);
        json_decref(langs);
        json_decref(codes);
        if (rc < 0) break;
    }
    db_done(st);
    if (rc < 0) {
        free(rows.v);
        return rc;
    }
    rc = 0;
    char disp[64];
    if (!strcmp(format, "xlsx")) {
        ms_error e;
        ms_error_clear(&e);
        rc = ema_write_xlsx(&r->out, rows.v, rows.n,
                            r->env && r->env->work_dir[0] ? r->env->work_dir : NULL, &e);
        if (rc) {
            r->err = e;
            free(rows.v);
            return rc;
        }
        r->out_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    } else {
        ema_write_text(&r->out, rows.v, rows.n, ema_layout_for(rows.v, rows.n),
                       !strcmp(format, "tsv") ? '\t' : ',');
        r->out_type = !strcmp(format, "tsv") ? "text/tab-separated-values; charset=utf-8"
                                             : "text/csv; charset=utf-8";
    }
    free(rows.v);
    if (r->out.oom) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    snprintf(disp, sizeof disp, "attachment; filename=\"avails.%s\"", format);
    ms_reply_header(r, "Content-Disposition", ms_arena_strdup(a, disp));
    char *skipped = ms_arena_printf(a, "%zu", media_skipped);
    ms_reply_header(r, "X-EMA-Media-Skipped", skipped);
    r->status = 200;
    return 0;
}
