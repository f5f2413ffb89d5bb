/* rows.c: one right's dimensions, the same everywhere - a right in, a deal's right, a
 * holdback, an offer's terms, an EMA row: checked from JSON into their stored (canonical)
 * text and the engine's window, and read back from stored text into a window. One parser so
 * that what the API accepts, what the database keeps and what the engine computes cannot
 * drift apart. Not here: which rows exist (the callers' SQL). */
#include "rights/rights_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dump(ms_arena *a, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    char *out = s ? ms_arena_strdup(a, s) : NULL;
    free(s);
    return out;
}

/* The field name of member `key` of row `prefix` ("rights/2/media"). */
static const char *fname(ms_req *r, const char *prefix, const char *key)
{
    return prefix && *prefix ? ms_arena_printf(r->arena, "%s/%s", prefix, key) : key;
}

static const char *const row_keys[][12] = {
    [RIGHTS_ROW_IN] = {"title_id", "source", "licensor", "contract_ref", "territories", "media",
                       "languages", "start", "end", "exclusivity", "runs", "notes"},
    [RIGHTS_ROW_DEAL] = {"title_id", "territories", "media", "languages", "start", "end",
                         "exclusivity", "runs", "allocation", "id"},
    [RIGHTS_ROW_HOLDBACK] = {"title_id", "territories", "media", "start", "end", "reason", "id"},
};

int rights_row_keys_check(ms_req *r, const json_t *j, rights_row_kind kind, const char *prefix)
{
    if (!json_is_object(j))
        return ms_field_fail(&r->err, prefix && *prefix ? prefix : "body", "must be an object");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)j, key, v)
    {
        bool known = false;
        for (int i = 0; i < 12 && row_keys[kind][i]; i++)
            known |= !strcmp(row_keys[kind][i], key);
        if (!known) ms_field_fail(&r->err, fname(r, prefix, key), "is not a known field");
    }
    return r->err.code;
}

int rights_row_parse(ms_req *r, const json_t *j, const dims_media_reg *reg, rights_row_kind kind,
                     const char *currency, const char *prefix, rights_row *out)
{
    memset(out, 0, sizeof *out);
    out->runs = -1;
    out->allocation = -1;
    out->excl = -1;
    if (!json_is_object(j))
        return ms_field_fail(&r->err, prefix && *prefix ? prefix : "body", "must be an object");
    int before = r->err.nfields;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)j, key, v)
    {
        bool known = false;
        for (int i = 0; i < 12 && row_keys[kind][i]; i++)
            known |= !strcmp(row_keys[kind][i], key);
        if (!known) ms_field_fail(&r->err, fname(r, prefix, key), "is not a known field");
    }
    const char *title_id = ms_json_str(j, "title_id");
    if (kind == RIGHTS_ROW_DEAL || kind == RIGHTS_ROW_HOLDBACK) {
        if (!title_id || !ms_uuid_valid(title_id))
            ms_field_fail(&r->err, fname(r, prefix, "title_id"), "must be a title id");
        else
            out->title_id = ms_arena_strdup(r->arena, title_id);
    }
    ms_error e;
    ms_error_clear(&e);
    json_t *canon = NULL;
    if (!json_object_get(j, "territories"))
        ms_field_fail(&r->err, fname(r, prefix, "territories"), "is required");
    else if (dims_terr_parse(json_object_get(j, "territories"), &out->w.terrs, &canon, &e))
        ms_field_fail(&r->err, fname(r, prefix, "territories"), "%s", e.detail);
    else
        out->territories = dump(r->arena, canon);
    json_decref(canon);
    canon = NULL;
    ms_error_clear(&e);
    if (!json_object_get(j, "media"))
        ms_field_fail(&r->err, fname(r, prefix, "media"), "is required");
    else if (dims_media_parse(json_object_get(j, "media"), reg, &out->w.media, &canon, &e))
        ms_field_fail(&r->err, fname(r, prefix, "media"), "%s", e.detail);
    else
        out->media = dump(r->arena, canon);
    json_decref(canon);
    canon = NULL;
    ms_error_clear(&e);
    json_t *langs = json_object_get(j, "languages");
    if (kind != RIGHTS_ROW_HOLDBACK && langs && !json_is_null(langs)) {
        av_lang *l = NULL;
        int nl = 0;
        if (dims_langs_parse(langs, false, r->arena, &l, &nl, &canon, &e))
            ms_field_fail(&r->err, fname(r, prefix, "languages"), "%s", e.detail);
        else {
            out->languages = dump(r->arena, canon);
            out->w.langs = l;
            out->w.nlangs = (uint16_t)nl;
        }
        json_decref(canon);
        canon = NULL;
    } else {
        out->languages = "[]";
    }
    ms_error_clear(&e);
    const char *start = ms_json_str(j, "start"), *end = ms_json_str(j, "end");
    json_t *endv = json_object_get(j, "end");
    if (endv && !json_is_null(endv) && !json_is_string(endv))
        ms_field_fail(&r->err, fname(r, prefix, "end"), "must be a date YYYY-MM-DD, or null/open");
    else if (kind == RIGHTS_ROW_HOLDBACK) {
        av_day s = AV_OPEN_START, en;
        if (start && !dims_date_parse(start, &s))
            ms_field_fail(&r->err, fname(r, prefix, "start"), "must be a date YYYY-MM-DD");
        else if (!end || !dims_date_parse(end, &en))
            ms_field_fail(&r->err, fname(r, prefix, "end"),
                          "must be the last blocked day, YYYY-MM-DD");
        else if (start && en < s)
            ms_field_fail(&r->err, fname(r, prefix, "end"), "is before start");
        else {
            out->w.start = s;
            out->w.end = en + 1;
            if (start) dims_date_fmt(s, out->start);
            dims_date_fmt(en, out->end);
        }
    } else if (!start) {
        ms_field_fail(&r->err, fname(r, prefix, "start"), "is required (YYYY-MM-DD)");
    } else if (dims_term_parse(start, end, &out->w.start, &out->w.end, &e)) {
        ms_field_fail(&r->err, fname(r, prefix, "start"), "%s", e.detail);
    } else {
        dims_date_fmt(out->w.start, out->start);
        if (out->w.end != AV_OPEN_END) dims_date_fmt(out->w.end - 1, out->end);
    }
    if (kind != RIGHTS_ROW_HOLDBACK) {
        const char *ex = ms_json_str(j, "exclusivity");
        out->excl = ex ? dims_excl_parse(ex) : -1;
        if (out->excl < 0)
            ms_field_fail(&r->err, fname(r, prefix, "exclusivity"),
                          "must be exclusive, sole or non_exclusive");
        else
            out->w.excl = (uint8_t)out->excl;
        json_t *runs = json_object_get(j, "runs");
        if (runs && !json_is_null(runs)) {
            if (!json_is_integer(runs) || json_integer_value(runs) < 1 ||
                json_integer_value(runs) > 100000)
                ms_field_fail(&r->err, fname(r, prefix, "runs"),
                              "must be a number of runs from 1 to 100000");
            else
                out->runs = json_integer_value(runs);
        }
    }
    json_t *alloc = json_object_get(j, "allocation");
    if (kind == RIGHTS_ROW_DEAL && currency && alloc && !json_is_null(alloc)) {
        ms_error ae;
        ms_error_clear(&ae);
        if (ms_money_parse(alloc, currency, &out->allocation, "allocation", &ae))
            ms_field_fail(&r->err, fname(r, prefix, "allocation"), "%s",
                          ae.nfields ? ae.fields[0].message : ae.detail);
    }
    const char *note_key = kind == RIGHTS_ROW_HOLDBACK ? "reason" : "notes";
    json_t *note = json_object_get(j, note_key);
    out->note = "";
    if (note && !json_is_null(note)) {
        const char *ns = json_string_value(note);
        if (!ns || !ms_str_is_clean_text(ns, 2000, true))
            ms_field_fail(&r->err, fname(r, prefix, note_key),
                          "must be text of at most 2000 characters");
        else
            out->note = ms_arena_strdup(r->arena, ns);
    }
    out->w.kind = kind == RIGHTS_ROW_IN     ? AV_RIGHTS_IN
                  : kind == RIGHTS_ROW_DEAL ? AV_LICENSE
                                            : AV_HOLDBACK;
    return r->err.nfields > before || r->err.code ? MS_EINVAL : 0;
}

/* ---- Stored text back into windows. ----
 * The same expressions repeat across thousands of rows (WORLD minus a few, the usual media
 * lists): a small memo of parsed text makes a catalogue's load parse each one once. */

#define MEMO_SLOTS 1024

typedef struct memo_entry {
    char *text;
    av_terrs terrs;
    av_media media;
    av_lang *langs;
    int nlangs;
    bool ok;
} memo_entry;

struct rights_parse_memo {
    memo_entry terr[MEMO_SLOTS], media[MEMO_SLOTS], lang[MEMO_SLOTS];
    ms_arena *strings; /* where language tags live (as long as the windows) */
};

rights_parse_memo *rights_memo_new(ms_arena *strings)
{
    rights_parse_memo *m = calloc(1, sizeof *m);
    if (m) m->strings = strings;
    return m;
}

void rights_memo_free(rights_parse_memo *m)
{
    if (!m) return;
    for (int i = 0; i < MEMO_SLOTS; i++) {
        free(m->terr[i].text);
        free(m->media[i].text);
        free(m->lang[i].text);
    }
    free(m);
}

static uint32_t hash_text(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static memo_entry *memo_slot(memo_entry *tab, const char *text, bool *hit)
{
    memo_entry *e = &tab[hash_text(text) % MEMO_SLOTS];
    *hit = e->text && !strcmp(e->text, text);
    if (!*hit) {
        free(e->text);
        memset(e, 0, sizeof *e);
        e->text = strdup(text);
    }
    return e;
}

int rights_window_from_text(rights_parse_memo *m, const dims_media_reg *reg, const char *terr,
                            const char *media, const char *langs, const char *start,
                            const char *end, const char *excl, av_window *w, ms_error *err)
{
    bool hit;
    memo_entry *e = memo_slot(m->terr, terr, &hit);
    if (!hit) {
        json_t *j = json_loads(terr, 0, NULL);
        e->ok = j && !dims_terr_parse(j, &e->terrs, NULL, err);
        json_decref(j);
    }
    if (!e->ok)
        return ms_fail(err, MS_EINTERNAL, NULL, "stored territories do not parse: %s", terr);
    w->terrs = e->terrs;
    e = memo_slot(m->media, media, &hit);
    if (!hit) {
        json_t *j = json_loads(media, 0, NULL);
        e->ok = j && !dims_media_parse(j, reg, &e->media, NULL, err);
        json_decref(j);
    }
    if (!e->ok) return ms_fail(err, MS_EINTERNAL, NULL, "stored media do not parse: %s", media);
    w->media = e->media;
    w->langs = NULL;
    w->nlangs = 0;
    if (langs && strcmp(langs, "[]")) {
        e = memo_slot(m->lang, langs, &hit);
        if (!hit) {
            json_t *j = json_loads(langs, 0, NULL);
            e->ok = j && !dims_langs_parse(j, false, m->strings, &e->langs, &e->nlangs, NULL, err);
            json_decref(j);
        }
        if (!e->ok)
            return ms_fail(err, MS_EINTERNAL, NULL, "stored languages do not parse: %s", langs);
        w->langs = e->langs;
        w->nlangs = (uint16_t)e->nlangs;
    }
    w->start = AV_OPEN_START;
    w->end = AV_OPEN_END;
    av_day d;
    if (start) {
        if (!dims_date_parse(start, &d))
            return ms_fail(err, MS_EINTERNAL, NULL, "stored date does not parse: %s", start);
        w->start = d;
    }
    if (end) {
        if (!dims_date_parse(end, &d))
            return ms_fail(err, MS_EINTERNAL, NULL, "stored date does not parse: %s", end);
        w->end = d + 1;
    }
    w->excl = 0;
    if (excl) {
        int x = dims_excl_parse(excl);
        if (x < 0) return ms_fail(err, MS_EINTERNAL, NULL, "stored exclusivity: %s", excl);
        w->excl = (uint8_t)x;
    }
    return 0;
}
