/* profiles.c: talent profiles - create (one's own, or kept by an organization for a person
 * who consented), read as each viewer may (access.c decides), change field by field with
 * per-field visibility, the showreel and portfolio served from the asset library, claim by
 * link or by e-mail, export of everything about a person, and erasure.
 *
 * The body check (talent_input_check) and the writes (talent_profile_insert/_apply) take a
 * connection, not a request, so that the CSV import (io.c) and the API share one definition
 * of a valid profile. Credits, availability, shortlists and invites are their own files. */
#include "talent/talent_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const levels[] = {"native",         "fluent", "professional",
                                     "conversational", "basic",  NULL};
static const char *const travels[] = {"local", "regional", "national", "international", NULL};
static const char *const affiliation_kinds[] = {"agency", "union", "guild", "association", NULL};
static const char *const media_kinds[] = {"thumbnail", "proxy", "filmstrip", "waveform", NULL};

#define NAMES_MAX     8
#define CRAFTS_MAX    10
#define SKILLS_MAX    50
#define LANGUAGES_MAX 20
#define LIST_MAX      10
#define PORTFOLIO_MAX 24

int talent_level_rank(const char *level)
{
    for (int i = 0; level && levels[i]; i++)
        if (!strcmp(levels[i], level)) return 5 - i; /* native 5 ... basic 1 */
    return 0;
}

static bool in_list(const char *s, const char *const *list)
{
    for (int i = 0; s && list[i]; i++)
        if (!strcmp(s, list[i])) return true;
    return false;
}

/* A short single-line text of 1..max characters (0..max when `empty_ok`). */
static bool line_ok(const char *s, size_t max, bool empty_ok)
{
    if (!s) return false;
    size_t n = ms_utf8_chars(s);
    if (n == (size_t)-1 || n > max || (!n && !empty_ok)) return false;
    return ms_str_is_clean_text(s, strlen(s) + 1, false);
}

/* The ISO 15924 script a name is mostly written in, when the person did not say. */
static const char *guess_script(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp = *p;
        int len = 1;
        if (cp >= 0xf0 && p[1] && p[2] && p[3]) {
            cp = ((cp & 7u) << 18) | ((p[1] & 63u) << 12) | ((p[2] & 63u) << 6) | (p[3] & 63u);
            len = 4;
        } else if (cp >= 0xe0 && p[1] && p[2]) {
            cp = ((cp & 15u) << 12) | ((p[1] & 63u) << 6) | (p[2] & 63u);
            len = 3;
        } else if (cp >= 0xc0 && p[1]) {
            cp = ((cp & 31u) << 6) | (p[1] & 63u);
            len = 2;
        }
        if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || cp >= 0x20000)
            return "Hani";
        if (cp >= 0x3040 && cp <= 0x30ff) return "Jpan";
        if (cp >= 0xac00 && cp <= 0xd7af) return "Hang";
        if (cp >= 0x0f00 && cp <= 0x0fff) return "Tibt";
        if (cp >= 0x0600 && cp <= 0x06ff) return "Arab";
        if (cp >= 0x0400 && cp <= 0x04ff) return "Cyrl";
        if (cp >= 0x1800 && cp <= 0x18af) return "Mong";
        if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0xc0 && cp < 0x250))
            return "Latn";
        p += len;
    }
    return "Zyyy";
}

static bool script_ok(const char *s)
{
    return s && strlen(s) == 4 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z' &&
           s[2] >= 'a' && s[2] <= 'z' && s[3] >= 'a' && s[3] <= 'z';
}

static char *dump(ms_arena *a, const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    char *out = s ? ms_arena_strdup(a, s) : NULL;
    free(s);
    return out;
}

/* names: [{"name", "script"?, "primary"?}], one primary (the first when none says so). */
static void check_names(ms_arena *a, const json_t *v, talent_input *in, ms_error *err)
{
    if (!json_array_size(v)) {
        ms_field_fail(err, "names", "must hold at least one name");
        return;
    }
    json_t *out = json_array();
    size_t i;
    json_t *n;
    int primary = -1;
    json_array_foreach(v, i, n)
    {
        char f[48];
        const char *name = ms_json_str(n, "name"), *script = ms_json_str(n, "script");
        json_t *pv = json_object_get(n, "primary");
        if (!json_is_object(n)) {
            snprintf(f, sizeof f, "names/%zu", i);
            ms_field_fail(err, f, "must be an object with name, script and primary");
            continue;
        }
        snprintf(f, sizeof f, "names/%zu/name", i);
        if (!line_ok(name, 200, false)) {
            ms_field_fail(err, f, "must be 1 to 200 characters of text");
            continue;
        }
        const char *k;
        json_t *kv;
        json_object_foreach((json_t *)n, k, kv)
        {
            if (strcmp(k, "name") && strcmp(k, "script") && strcmp(k, "primary")) {
                snprintf(f, sizeof f, "names/%zu", i);
                ms_field_fail(err, f, "has an unknown member (name, script, primary)");
            }
        }
        snprintf(f, sizeof f, "names/%zu/script", i);
        if (json_object_get(n, "script") && !script_ok(script)) {
            ms_field_fail(err, f, "must be an ISO 15924 script code such as Hans, Latn, Tibt");
            continue;
        }
        snprintf(f, sizeof f, "names/%zu/primary", i);
        if (pv && !json_is_boolean(pv)) {
            ms_field_fail(err, f, "must be true or false");
            continue;
        }
        if (json_is_true(pv)) {
            if (primary >= 0) ms_field_fail(err, f, "only one name may be primary");
            primary = (int)i;
        }
        json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "name", name, "script",
                                             script ? script : guess_script(name), "primary", 0));
    }
    if (primary < 0) primary = 0;
    if (json_array_size(out) == json_array_size(v)) {
        json_object_set_new(json_array_get(out, (size_t)primary), "primary", json_true());
        in->primary_name = ms_json_str(json_array_get(out, (size_t)primary), "name");
        in->primary_name = ms_arena_strdup(a, in->primary_name);
        in->names = dump(a, out);
    }
    json_decref(out);
}

/* An array of unique short strings (skills), or of craft codes (crafts). */
static void check_strings(db_conn *c, ms_arena *a, const json_t *v, const char *field, bool crafts,
                          const char **out, ms_error *err)
{
    size_t i, j;
    json_t *s;
    int before = err->nfields;
    json_array_foreach(v, i, s)
    {
        char f[48];
        snprintf(f, sizeof f, "%s/%zu", field, i);
        const char *t = json_string_value(s);
        if (crafts) {
            ms_error e;
            ms_error_clear(&e);
            if (!t || talent_craft_lookup(c, t, NULL, 0, NULL, 0, &e) != 0) {
                ms_field_fail(err, f, "must be a craft code (GET /api/v1/talent/crafts)");
                continue;
            }
        } else if (!line_ok(t, 80, false)) {
            ms_field_fail(err, f, "must be 1 to 80 characters of text");
            continue;
        }
        for (j = 0; j < i; j++)
            if (json_equal(s, json_array_get(v, j))) ms_field_fail(err, f, "lists %s twice", t);
    }
    if (err->nfields == before) *out = dump(a, v);
}

static void check_languages(ms_arena *a, const json_t *v, talent_input *in, ms_error *err)
{
    json_t *out = json_array();
    size_t i, j;
    json_t *l;
    int before = err->nfields;
    json_array_foreach(v, i, l)
    {
        char f[48];
        snprintf(f, sizeof f, "languages/%zu", i);
        const char *tag = ms_json_str(l, "tag"), *level = ms_json_str(l, "level");
        if (!json_is_object(l) || !tag || !ms_locale_valid(tag) || strlen(tag) > 35 ||
            json_object_size(l) > 2 || (json_object_get(l, "level") && !in_list(level, levels))) {
            ms_field_fail(err, f,
                          "must be {\"tag\": a BCP 47 language tag, \"level\": native, fluent, "
                          "professional, conversational or basic}");
            continue;
        }
        /* Canonical case: language lower, script title, region upper (zh-Hant-TW). */
        char canon[40];
        ms_strlcpy(canon, tag, sizeof canon);
        for (char *p = canon, *seg = canon;; p++) {
            if (*p == '-' || !*p) {
                size_t len = (size_t)(p - seg);
                if (seg != canon && len == 4) {
                    seg[0] = (char)(seg[0] & ~0x20);
                    for (size_t k = 1; k < 4; k++)
                        seg[k] = (char)(seg[k] | 0x20);
                } else if (seg != canon && len == 2) {
                    seg[0] = (char)(seg[0] & ~0x20);
                    seg[1] = (char)(seg[1] & ~0x20);
                } else {
                    for (size_t k = 0; k < len; k++)
                        if (seg[k] >= 'A' && seg[k] <= 'Z') seg[k] = (char)(seg[k] | 0x20);
                }
                if (!*p) break;
                seg = p + 1;
            }
        }
        for (j = 0; j < json_array_size(out); j++)
            if (!strcmp(canon, ms_json_str(json_array_get(out, j), "tag")))
                ms_field_fail(err, f, "lists %s twice", canon);
        json_array_append_new(
            out, json_pack("{s:s,s:s}", "tag", canon, "level", level ? level : "professional"));
    }
    if (err->nfields == before) in->languages = dump(a, out);
    json_decref(out);
}

static void check_location(ms_arena *a, const json_t *v, talent_input *in, ms_error *err)
{
    in->location_set = true;
    const char *k;
    json_t *kv;
    json_object_foreach((json_t *)v, k, kv)
    {
        if (strcmp(k, "country") && strcmp(k, "region") && strcmp(k, "city") &&
            strcmp(k, "travel")) {
            char f[80];
            snprintf(f, sizeof f, "location/%.60s", k);
            ms_field_fail(err, f, "is not a known field (country, region, city, travel)");
        }
    }
    const char *country = ms_json_str(v, "country"), *region = ms_json_str(v, "region");
    const char *city = ms_json_str(v, "city"), *travel = ms_json_str(v, "travel");
    char cc[3] = "";
    if (country && *country) {
        if (strlen(country) != 2 || !((country[0] | 0x20) >= 'a' && (country[0] | 0x20) <= 'z') ||
            !((country[1] | 0x20) >= 'a' && (country[1] | 0x20) <= 'z'))
            ms_field_fail(err, "location/country", "must be an ISO 3166-1 alpha-2 code (CN, FR)");
        else {
            cc[0] = (char)(country[0] & ~0x20);
            cc[1] = (char)(country[1] & ~0x20);
        }
    }
    if (region && !line_ok(region, 100, true))
        ms_field_fail(err, "location/region", "must be at most 100 characters of text");
    if (city && !line_ok(city, 100, true))
        ms_field_fail(err, "location/city", "must be at most 100 characters of text");
    if (json_object_get(v, "travel") && !in_list(travel, travels))
        ms_field_fail(err, "location/travel", "must be local, regional, national or international");
    in->country = ms_arena_strdup(a, cc);
    in->region = ms_arena_strdup(a, region ? region : "");
    in->city = ms_arena_strdup(a, city ? city : "");
    in->travel = ms_arena_strdup(a, travel ? travel : "national");
}

/* affiliations [{name, kind, member_id}] and education [{school, program, year}]. */
static void check_objects(ms_arena *a, const json_t *v, const char *field, const char **out,
                          ms_error *err)
{
    bool edu = !strcmp(field, "education");
    size_t i;
    json_t *o;
    int before = err->nfields;
    json_t *clean = json_array();
    json_array_foreach(v, i, o)
    {
        char f[48];
        snprintf(f, sizeof f, "%s/%zu", field, i);
        const char *name = ms_json_str(o, edu ? "school" : "name");
        const char *second = ms_json_str(o, edu ? "program" : "member_id");
        json_t *kind = json_object_get(o, "kind");
        json_t *year = json_object_get(o, "year");
        bool ok = json_is_object(o) && line_ok(name, 200, false) &&
                  (!json_object_get(o, edu ? "program" : "member_id") ||
                   line_ok(second, edu ? 200 : 64, true));
        if (edu)
            ok = ok &&
                 (!year || (json_is_integer(year) && json_integer_value(year) >= 1900 &&
                            json_integer_value(year) <= 2100)) &&
                 json_object_size(o) <= 3;
        else
            ok = ok && (!kind || in_list(json_string_value(kind), affiliation_kinds)) &&
                 json_object_size(o) <= 3;
        const char *k;
        json_t *kv;
        json_object_foreach((json_t *)o, k, kv)
        {
            if (edu ? (strcmp(k, "school") && strcmp(k, "program") && strcmp(k, "year"))
                    : (strcmp(k, "name") && strcmp(k, "kind") && strcmp(k, "member_id")))
                ok = false;
        }
        if (!ok) {
            ms_field_fail(err, f,
                          edu ? "must be {\"school\", \"program\"?, \"year\"? (1900-2100)}"
                              : "must be {\"name\", \"kind\"?: agency, union, guild or "
                                "association, \"member_id\"?}");
            continue;
        }
        json_array_append(clean, (json_t *)o);
    }
    if (err->nfields == before) *out = dump(a, clean);
    json_decref(clean);
}

static void check_contacts(ms_arena *a, const json_t *v, talent_input *in, ms_error *err)
{
    const char *k;
    json_t *kv;
    int before = err->nfields;
    json_object_foreach((json_t *)v, k, kv)
    {
        char f[80];
        snprintf(f, sizeof f, "contacts/%.60s", k);
        const char *s = json_string_value(kv);
        if (!strcmp(k, "email")) {
            if (!s || (*s && !ms_email_valid(s)))
                ms_field_fail(err, f, "must be an e-mail address");
        } else if (!strcmp(k, "phone")) {
            bool ok = s && strlen(s) <= 40;
            for (const char *p = s; ok && *p; p++)
                ok = (*p >= '0' && *p <= '9') || strchr(" +-()./", *p);
            if (!ok) ms_field_fail(err, f, "must be a phone number (digits, spaces, + - ( ) . /)");
        } else if (!strcmp(k, "website")) {
            if (!s || (*s && ((strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) ||
                              !line_ok(s, 200, false))))
                ms_field_fail(err, f, "must be an http(s) address of at most 200 characters");
        } else if (!strcmp(k, "wechat")) {
            if (!line_ok(s, 64, true)) ms_field_fail(err, f, "must be at most 64 characters");
        } else {
            ms_field_fail(err, f, "is not a known field (email, phone, website, wechat)");
        }
    }
    if (err->nfields == before) in->contacts = dump(a, v);
}

static void check_rates(const json_t *v, talent_input *in, ms_error *err)
{
    in->rates_set = true;
    if (json_is_null(v)) return;
    const char *cur = ms_json_str(v, "currency");
    const char *k;
    json_t *kv;
    json_object_foreach((json_t *)v, k, kv)
    {
        if (strcmp(k, "currency") && strcmp(k, "day") && strcmp(k, "week")) {
            char f[80];
            snprintf(f, sizeof f, "rates/%.60s", k);
            ms_field_fail(err, f, "is not a known field (currency, day, week)");
        }
    }
    if (!ms_currency_valid(cur)) {
        ms_field_fail(err, "rates/currency", "must be an ISO 4217 currency code (CNY, USD)");
        return;
    }
    in->rate_currency = cur;
    json_t *day = json_object_get(v, "day"), *week = json_object_get(v, "week");
    if (day && !json_is_null(day) && !ms_money_parse(day, cur, &in->rate_day, "rates/day", err))
        in->has_day = true;
    if (week && !json_is_null(week) &&
        !ms_money_parse(week, cur, &in->rate_week, "rates/week", err))
        in->has_week = true;
}

/* An asset of the library the caller may share (edit access to its project), pinned at its
 * current version. */
static int check_asset(db_conn *c, const ms_caller *caller, const char *field, const char *id,
                       json_t *out, ms_error *err)
{
    char pid[MS_ID_LEN];
    ms_access acc;
    ms_error e;
    ms_error_clear(&e);
    if (!caller || !id || !ms_uuid_valid(id) || assets_project_of(c, id, pid, &e) ||
        authz_project(c, caller, pid, &acc, &e) || acc.level < LEVEL_EDIT)
        return ms_field_fail(err, field,
                             "must be an asset of a project you may edit (it will be shown to "
                             "whoever may see this field)");
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT current_number, name FROM asset WHERE id = ? AND deleted_at IS "
                          "NULL",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE || db_col_int(st, 0) < 1) {
        if (rc == DB_ROW) db_done(st);
        return ms_field_fail(err, field, "has no version yet");
    }
    json_object_set_new(out, "asset_id", json_string(id));
    json_object_set_new(out, "number", json_integer(db_col_int(st, 0)));
    json_object_set_new(out, "name", json_string(db_col_text(st, 1)));
    db_done(st);
    return 0;
}

static void check_media(db_conn *c, ms_arena *a, const ms_caller *caller, const json_t *body,
                        talent_input *in, ms_error *err)
{
    json_t *sr = json_object_get(body, "showreel");
    if (sr) {
        in->showreel_set = true;
        if (!json_is_null(sr)) {
            json_t *o = json_object();
            const char *id = ms_json_str(sr, "asset_id");
            if (json_object_size(sr) != 1 || !id)
                ms_field_fail(err, "showreel", "must be {\"asset_id\": ...} or null");
            else if (!check_asset(c, caller, "showreel", id, o, err))
                in->showreel = dump(a, o);
            json_decref(o);
        }
    }
    json_t *pf = json_object_get(body, "portfolio");
    if (!pf) return;
    json_t *out = json_array();
    size_t i;
    json_t *item;
    int before = err->nfields;
    json_array_foreach(pf, i, item)
    {
        char f[48];
        snprintf(f, sizeof f, "portfolio/%zu", i);
        const char *id = ms_json_str(item, "asset_id");
        json_t *o = json_object();
        if (!id || json_object_size(item) != 1)
            ms_field_fail(err, f, "must be {\"asset_id\": ...}");
        else if (!check_asset(c, caller, f, id, o, err))
            json_array_append(out, o);
        json_decref(o);
    }
    if (err->nfields == before) in->portfolio = dump(a, out);
    json_decref(out);
}

static void check_visibility(const json_t *v, talent_input *in, ms_error *err)
{
    in->vis_set = true;
    const char *k;
    json_t *kv;
    json_object_foreach((json_t *)v, k, kv)
    {
        char f[80];
        snprintf(f, sizeof f, "visibility/%.60s", k);
        int field = talent_field_parse(k), vis = talent_vis_parse(json_string_value(kv));
        if (field < 0) {
            ms_field_fail(err, f, "is not a field with a visibility");
            continue;
        }
        if (vis < 0 || (field == TF_NAMES && vis > TV_PLATFORM)) {
            ms_field_fail(err, f,
                          field == TF_NAMES ? "must be public or platform (a name nobody may read "
                                              "cannot be found: set listed to false instead)"
                                            : "must be public, platform, orgs or private");
            continue;
        }
        in->vis[field] = (talent_vis)vis;
        in->vis_given[field] = true;
    }
}

/* How many items a list may hold: the routes' shape check (PROFILE_FIELDS) says it first, and
 * the CSV import, which has no such table, relies on this. */
static const struct {
    const char *field;
    int max;
} list_limits[] = {
    {"names", NAMES_MAX},         {"crafts", CRAFTS_MAX},     {"skills", SKILLS_MAX},
    {"languages", LANGUAGES_MAX}, {"affiliations", LIST_MAX}, {"education", LIST_MAX},
    {"portfolio", PORTFOLIO_MAX},
};

/* Member `key` of the body; NULL, reported, for a list longer than its limit (its items are
 * not checked one by one). */
static json_t *member(const json_t *body, const char *key, ms_error *err)
{
    json_t *v = json_object_get(body, key);
    for (size_t i = 0; i < sizeof list_limits / sizeof list_limits[0]; i++) {
        if (strcmp(list_limits[i].field, key) || json_array_size(v) <= (size_t)list_limits[i].max)
            continue;
        ms_field_fail(err, key, "must have at most %d items", list_limits[i].max);
        return NULL;
    }
    return v;
}

int talent_input_check(db_conn *c, ms_arena *a, const ms_caller *caller, const json_t *body,
                       bool create, talent_input *in, ms_error *err)
{
    memset(in, 0, sizeof *in);
    in->listed = -1;
    memcpy(in->vis, talent_vis_default, sizeof in->vis);
    int before = err->nfields;
    json_t *v;
    if ((v = member(body, "names", err)))
        check_names(a, v, in, err);
    else if (create && !json_object_get(body, "names"))
        ms_field_fail(err, "names", "is required");
    if ((v = json_object_get(body, "headline"))) in->headline = json_string_value(v);
    if ((v = json_object_get(body, "bio"))) in->bio = json_string_value(v);
    if ((v = member(body, "crafts", err))) check_strings(c, a, v, "crafts", true, &in->crafts, err);
    if ((v = member(body, "skills", err)))
        check_strings(c, a, v, "skills", false, &in->skills, err);
    if ((v = member(body, "languages", err))) check_languages(a, v, in, err);
    if ((v = json_object_get(body, "location"))) check_location(a, v, in, err);
    if ((v = member(body, "affiliations", err)))
        check_objects(a, v, "affiliations", &in->affiliations, err);
    if ((v = member(body, "education", err))) check_objects(a, v, "education", &in->education, err);
    if ((v = json_object_get(body, "contacts"))) check_contacts(a, v, in, err);
    if ((v = json_object_get(body, "rates"))) check_rates(v, in, err);
    if ((v = json_object_get(body, "visibility"))) check_visibility(v, in, err);
    if ((v = json_object_get(body, "listed"))) in->listed = json_is_true(v);
    if ((v = json_object_get(body, "ref"))) {
        in->ref_set = true;
        in->ref = json_string_value(v);
        bool ok = !in->ref || line_ok(in->ref, 64, false);
        for (const char *p = in->ref; ok && p && *p; p++)
            ok = (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
                 strchr("._-", *p);
        if (!ok) ms_field_fail(err, "ref", "must be 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    (void)member(body, "portfolio", err); /* its limit; check_media reads the items */
    if (err->nfields == before) check_media(c, a, caller, body, in, err);
    return err->nfields > before ? MS_EINVAL : 0;
}

/* ---- Writes. ---- */

static json_t *vis_merge(const char *current_json, const talent_input *in)
{
    talent_vis vis[TF_COUNT];
    talent_vis_from_json(current_json, vis);
    for (int f = 0; f < TF_COUNT; f++)
        if (in->vis_given[f]) vis[f] = in->vis[f];
    return talent_vis_json(vis);
}

/* The column assignments of a checked input, appended to `sql` as "col = ?, ..." and args. */
static int set_cols(ms_arena *a, const talent_input *in, ms_buf *sql, db_arg *args, int n)
{
#define SET_S(col, val)                                                                            \
    do {                                                                                           \
        ms_buf_puts(sql, ", " col " = ?");                                                         \
        args[n++] = DB_ARG_S(val);                                                                 \
    } while (0)
    if (in->names) {
        SET_S("names", in->names);
        SET_S("primary_name", in->primary_name);
    }
    if (in->headline) SET_S("headline", in->headline);
    if (in->bio) SET_S("bio", in->bio);
    if (in->crafts) SET_S("crafts", in->crafts);
    if (in->skills) SET_S("skills", in->skills);
    if (in->languages) SET_S("languages", in->languages);
    if (in->location_set) {
        SET_S("country", in->country);
        SET_S("region", in->region);
        SET_S("city", in->city);
        SET_S("travel", in->travel);
    }
    if (in->affiliations) SET_S("affiliations", in->affiliations);
    if (in->education) SET_S("education", in->education);
    if (in->showreel_set) SET_S("showreel", in->showreel);
    if (in->portfolio) SET_S("portfolio", in->portfolio);
    if (in->contacts) SET_S("contacts", in->contacts);
    if (in->rates_set) {
        SET_S("rate_currency", in->rate_currency);
        ms_buf_puts(sql, ", rate_day = CAST(? AS BIGINT), rate_week = CAST(? AS BIGINT)");
        args[n++] =
            DB_ARG_S(in->has_day ? ms_arena_printf(a, "%lld", (long long)in->rate_day) : NULL);
        args[n++] =
            DB_ARG_S(in->has_week ? ms_arena_printf(a, "%lld", (long long)in->rate_week) : NULL);
    }
    if (in->listed >= 0) {
        ms_buf_puts(sql, ", listed = CAST(? AS INTEGER)");
        args[n++] = DB_ARG_S(in->listed ? "1" : "0");
    }
    if (in->ref_set) SET_S("ref", in->ref);
#undef SET_S
    return n;
}

/* The rev to stamp (0 when talent_touch_conn follows), one INSERT of every column. */
int talent_profile_insert_untouched(db_conn *c, ms_arena *a, const char *actor_id,
                                    const char *user_id, const char *steward_org_id,
                                    const talent_input *in, const json_t *consent, int64_t rev,
                                    char id_out[MS_ID_LEN], int64_t *seq_out, ms_error *err)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    ms_uuid7(id_out);
    json_t *vis = vis_merge(NULL, in);
    char *vis_text = dump(a, vis);
    json_decref(vis);
    char *consent_text = dump(a, consent);
    bool loc = in->location_set, rates = in->rates_set && in->rate_currency;
    db_arg args[] = {
        DB_ARG_S(id_out),
        DB_ARG_S(user_id),
        DB_ARG_S(steward_org_id),
        DB_ARG_S(in->ref_set ? in->ref : NULL),
        DB_ARG_S(in->names ? in->primary_name : ""),
        DB_ARG_S(in->names ? in->names : "[]"),
        DB_ARG_S(in->headline ? in->headline : ""),
        DB_ARG_S(in->bio ? in->bio : ""),
        DB_ARG_S(in->crafts ? in->crafts : "[]"),
        DB_ARG_S(in->skills ? in->skills : "[]"),
        DB_ARG_S(in->languages ? in->languages : "[]"),
        DB_ARG_S(loc ? in->country : ""),
        DB_ARG_S(loc ? in->region : ""),
        DB_ARG_S(loc ? in->city : ""),
        DB_ARG_S(loc ? in->travel : "national"),
        DB_ARG_S(in->affiliations ? in->affiliations : "[]"),
        DB_ARG_S(in->education ? in->education : "[]"),
        DB_ARG_S(in->showreel_set ? in->showreel : NULL),
        DB_ARG_S(in->portfolio ? in->portfolio : "[]"),
        DB_ARG_S(in->contacts ? in->contacts : "{}"),
        DB_ARG_S(rates ? in->rate_currency : NULL),
        rates && in->has_day ? DB_ARG_I(in->rate_day) : DB_ARG_S(NULL),
        rates && in->has_week ? DB_ARG_I(in->rate_week) : DB_ARG_S(NULL),
        DB_ARG_I(in->listed < 0 ? 1 : in->listed),
        DB_ARG_S(vis_text),
        DB_ARG_S(consent_text),
        DB_ARG_I(rev),
        DB_ARG_S(actor_id),
        DB_ARG_S(now),
        DB_ARG_S(now),
    };
    db_stmt *st;
    int rc = db_query_args(
        c, &st, err,
        "INSERT INTO talent_profile (id, user_id, steward_org_id, ref, primary_name, names, "
        "headline, bio, crafts, skills, languages, country, region, city, travel, affiliations, "
        "education, showreel, portfolio, contacts, rate_currency, rate_day, rate_week, listed, "
        "visibility, consent, rev, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), "
        "CAST(? AS INTEGER), ?, ?, CAST(? AS BIGINT), ?, ?, ?) RETURNING seq",
        args, (int)(sizeof args / sizeof args[0]));
    if (!rc) {
        rc = db_step(st, err);
        *seq_out = rc == DB_ROW ? db_col_int(st, 0) : 0;
        db_done(st);
        rc = rc < 0 ? rc : 0;
    }
    if (rc < 0 && (err->code == MS_ECONFLICT || strstr(err->detail, "UNIQUE") ||
                   strstr(err->detail, "unique") || strstr(err->detail, "duplicate"))) {
        /* The (steward, ref) index: SQLite names "talent_profile.ref", PostgreSQL the index. */
        if (strstr(err->detail, "talent_profile.ref") || strstr(err->detail, "talent_profile_ref"))
            return ms_fail(err, MS_ECONFLICT, "talent-ref-taken",
                           "Another profile of this organization has that reference.");
        return ms_fail(err, MS_ECONFLICT, "talent-profile-exists",
                       "There is already a profile for this person (or this reference).");
    }
    return rc;
}

int talent_profile_insert(db_conn *c, ms_arena *a, const char *actor_id, const char *user_id,
                          const char *steward_org_id, const talent_input *in, const json_t *consent,
                          char id_out[MS_ID_LEN], int64_t *seq_out, ms_error *err)
{
    int rc = talent_profile_insert_untouched(c, a, actor_id, user_id, steward_org_id, in, consent,
                                             0, id_out, seq_out, err);
    return rc ? rc : talent_touch_conn(c, *seq_out, err);
}

int talent_profile_apply(db_conn *c, ms_arena *a, int64_t seq, const talent_input *in,
                         bool bump_version, ms_error *err)
{
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[40];
    int n = 0;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    ms_buf_puts(&sql, "UPDATE talent_profile SET updated_at = ?");
    args[n++] = DB_ARG_S(now);
    if (bump_version) ms_buf_puts(&sql, ", version = version + 1");
    n = set_cols(a, in, &sql, args, n);
    if (in->vis_set) {
        db_stmt *st;
        int rc = db_query_row(c, &st, err, "SELECT visibility FROM talent_profile WHERE seq = ?",
                              "I", seq);
        if (rc < 0) {
            ms_buf_free(&sql);
            return rc;
        }
        json_t *vis = vis_merge(rc == DB_ROW ? db_col_text(st, 0) : NULL, in);
        if (rc == DB_ROW) db_done(st);
        ms_buf_puts(&sql, ", visibility = ?");
        args[n++] = DB_ARG_S(dump(a, vis));
        json_decref(vis);
    }
    ms_buf_puts(&sql, " WHERE seq = CAST(? AS BIGINT)");
    args[n++] = DB_ARG_S(ms_arena_printf(a, "%lld", (long long)seq));
    db_stmt *st;
    int rc = db_query_buf(c, &st, err, &sql, args, n);
    if (rc) {
        if (strstr(err->detail, "UNIQUE") || strstr(err->detail, "unique") ||
            strstr(err->detail, "duplicate"))
            return ms_fail(err, MS_ECONFLICT, "talent-ref-taken",
                           "Another profile of this organization has that reference.");
        return rc;
    }
    rc = db_step(st, err);
    db_done(st);
    if (rc < 0) {
        if (strstr(err->detail, "UNIQUE") || strstr(err->detail, "unique") ||
            strstr(err->detail, "duplicate"))
            return ms_fail(err, MS_ECONFLICT, "talent-ref-taken",
                           "Another profile of this organization has that reference.");
        return rc;
    }
    return talent_touch_conn(c, seq, err);
}

/* ---- Reading. ---- */

#define PROFILE_COLS                                                                               \
    "p.seq, p.id, p.user_id, p.steward_org_id, p.ref, p.primary_name, p.names, p.headline, "       \
    "p.bio, p.crafts, p.skills, p.languages, p.country, p.region, p.city, p.travel, "              \
    "p.affiliations, p.education, p.showreel, p.portfolio, p.rate_currency, p.rate_day, "          \
    "p.rate_week, p.contacts, p.visibility, p.listed, p.consent, p.created_at, p.updated_at, "     \
    "p.version, o.name, o.slug, d.credits"

static json_t *col_json(db_stmt *st, int i)
{
    const char *t = db_col_text(st, i);
    json_t *j = t ? json_loads(t, 0, NULL) : NULL;
    return j ? j : json_null();
}

static json_t *media_json(const char *profile_id, json_t *m)
{
    const char *asset = ms_json_str(m, "asset_id");
    if (!asset) return m;
    json_t *o = json_pack("{s:s,s:I,s:s?}", "asset_id", asset, "number",
                          (json_int_t)ms_json_int(m, "number", 1), "name", ms_json_str(m, "name"));
    char url[200];
    snprintf(url, sizeof url, "/api/v1/talent/profiles/%s/media/%s/proxy", profile_id, asset);
    json_object_set_new(o, "proxy", json_string(url));
    snprintf(url, sizeof url, "/api/v1/talent/profiles/%s/media/%s/thumbnail", profile_id, asset);
    json_object_set_new(o, "thumbnail", json_string(url));
    json_decref(m);
    return o;
}

static void row_to_json(ms_req *r, db_stmt *st, const talent_ref *p, const talent_viewer *v,
                        bool card, json_t *o)
{
    const char *id = db_col_text(st, 1);
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "claimed", json_boolean(!db_col_null(st, 2)));
    if (!card) {
        json_object_set_new(o, "version", json_integer(db_col_int(st, 29)));
        json_object_set_new(o, "is_self", json_boolean(v->self));
        json_object_set_new(o, "can_edit", json_boolean(v->can_edit));
        json_object_set_new(o, "listed", json_boolean(db_col_int(st, 25) != 0));
        json_object_set_new(o, "steward_org",
                            db_col_null(st, 3)
                                ? json_null()
                                : json_pack("{s:s,s:s,s:s}", "id", db_col_text(st, 3), "name",
                                            db_col_text(st, 30), "slug", db_col_text(st, 31)));
        if ((v->steward || v->self) && !db_col_null(st, 4))
            json_object_set_new(o, "ref", json_string(db_col_text(st, 4)));
    }
    json_object_set_new(o, "primary_name", json_string(db_col_text(st, 5)));
    json_object_set_new(o, "names", col_json(st, 6));
    if (talent_sees(v, p, TF_HEADLINE))
        json_object_set_new(o, "headline", json_string(db_col_text(st, 7)));
    if (talent_sees(v, p, TF_CRAFTS)) json_object_set_new(o, "crafts", col_json(st, 9));
    if (talent_sees(v, p, TF_LANGUAGES)) json_object_set_new(o, "languages", col_json(st, 11));
    if (talent_sees(v, p, TF_LOCATION))
        json_object_set_new(o, "location",
                            json_pack("{s:s,s:s,s:s,s:s}", "country", db_col_text(st, 12), "region",
                                      db_col_text(st, 13), "city", db_col_text(st, 14), "travel",
                                      db_col_text(st, 15)));
    if (talent_sees(v, p, TF_CREDITS)) {
        json_t *cs = col_json(st, 32);
        json_object_set_new(o, "credit_summary",
                            json_pack("{s:I,s:I}", "n", (json_int_t)ms_json_int(cs, "n", 0),
                                      "verified", (json_int_t)ms_json_int(cs, "verified", 0)));
        json_decref(cs);
    }
    if (card) return;
    if (talent_sees(v, p, TF_BIO)) json_object_set_new(o, "bio", json_string(db_col_text(st, 8)));
    if (talent_sees(v, p, TF_SKILLS)) json_object_set_new(o, "skills", col_json(st, 10));
    if (talent_sees(v, p, TF_AFFILIATIONS))
        json_object_set_new(o, "affiliations", col_json(st, 16));
    if (talent_sees(v, p, TF_EDUCATION)) json_object_set_new(o, "education", col_json(st, 17));
    if (talent_sees(v, p, TF_SHOWREEL)) {
        json_t *sr = col_json(st, 18);
        json_object_set_new(o, "showreel", json_is_null(sr) ? sr : media_json(id, sr));
        json_t *pf = col_json(st, 19), *out = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(pf, i, m) json_array_append_new(out, media_json(id, json_incref(m)));
        json_decref(pf);
        json_object_set_new(o, "portfolio", out);
    }
    if (talent_sees(v, p, TF_RATES)) {
        if (db_col_null(st, 20)) {
            json_object_set_new(o, "rates", json_null());
        } else {
            const char *cur = db_col_text(st, 20);
            json_t *rates = json_pack("{s:s}", "currency", cur);
            char amount[32];
            for (int k = 0; k < 2; k++) {
                if (db_col_null(st, 21 + k)) continue;
                ms_money_fmt(db_col_int(st, 21 + k), cur, amount, sizeof amount);
                json_object_set_new(rates, k ? "week" : "day", json_string(amount));
            }
            json_object_set_new(o, "rates", rates);
        }
    }
    if (talent_sees(v, p, TF_CONTACTS)) json_object_set_new(o, "contacts", col_json(st, 23));
    if (v->can_edit) {
        json_object_set_new(o, "visibility", talent_vis_json(p->vis));
        json_object_set_new(o, "consent", col_json(st, 26));
    }
    json_object_set_new(o, "created_at", json_string(db_col_text(st, 27)));
    json_object_set_new(o, "updated_at", json_string(db_col_text(st, 28)));
    (void)r;
}

int talent_profile_json(ms_req *r, const talent_ref *p, const talent_viewer *v, bool card,
                        json_t **out)
{
    *out = NULL;
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err,
                     "SELECT " PROFILE_COLS " FROM talent_profile p LEFT JOIN org o ON o.id = "
                     "p.steward_org_id LEFT JOIN talent_doc d ON d.seq = p.seq WHERE p.seq = ?",
                     "I", p->seq);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such profile.");
    json_t *o = json_object();
    row_to_json(r, st, p, v, card, o);
    db_done(st);
    *out = o;
    return 0;
}

int talent_card_json(ms_req *r, int64_t seq, json_t **out)
{
    talent_ref p;
    talent_viewer v;
    *out = NULL;
    int rc = talent_open_seq(r, seq, &p, &v);
    if (rc) return rc;
    return talent_profile_json(r, &p, &v, true, out);
}

/* ---- Routes. ---- */

#define PROFILE_FIELDS                                                                             \
    {"names", MS_J_ARRAY, false, false, 0, NAMES_MAX, NULL},                                       \
        {"headline", MS_J_STRING, false, false, 0, 200, NULL},                                     \
        {"bio", MS_J_TEXT, false, false, 0, 4000, NULL},                                           \
        {"crafts", MS_J_ARRAY, false, false, 0, CRAFTS_MAX, NULL},                                 \
        {"skills", MS_J_ARRAY, false, false, 0, SKILLS_MAX, NULL},                                 \
        {"languages", MS_J_ARRAY, false, false, 0, LANGUAGES_MAX, NULL},                           \
        {"location", MS_J_OBJECT, false, false, 0, 4, NULL},                                       \
        {"affiliations", MS_J_ARRAY, false, false, 0, LIST_MAX, NULL},                             \
        {"education", MS_J_ARRAY, false, false, 0, LIST_MAX, NULL},                                \
        {"showreel", MS_J_OBJECT, false, true, 0, 1, NULL},                                        \
        {"portfolio", MS_J_ARRAY, false, false, 0, PORTFOLIO_MAX, NULL},                           \
        {"rates", MS_J_OBJECT, false, true, 0, 3, NULL},                                           \
        {"contacts", MS_J_OBJECT, false, false, 0, 4, NULL},                                       \
        {"visibility", MS_J_OBJECT, false, false, 0, TF_COUNT, NULL},                              \
        {"listed", MS_J_BOOL, false, false, 0, 0, NULL},                                           \
    {                                                                                              \
        "ref", MS_J_STRING, false, true, 1, 64, NULL                                               \
    }

int h_talent_profiles_create(ms_req *r)
{
    static const ms_jfield fields[] = {
        PROFILE_FIELDS,
        {"org_id", MS_J_ID, false, false, 0, 0, NULL},
        {"consent", MS_J_OBJECT, true, false, 0, 2, NULL},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    const char *org = ms_json_str(r->body, "org_id");
    json_t *consent_in = json_object_get(r->body, "consent");
    const char *note = ms_json_str(consent_in, "note");
    if (org ? !json_is_true(json_object_get(consent_in, "attested"))
            : !json_is_true(json_object_get(consent_in, "given")))
        return ms_field_fail(&r->err, "consent",
                             org ? "must be {\"attested\": true, \"note\"?}: the organization "
                                   "confirms the person agreed to be listed"
                                 : "must be {\"given\": true}: you agree to be listed");
    if (note && !line_ok(note, 300, true))
        return ms_field_fail(&r->err, "consent/note", "must be at most 300 characters of text");
    if (!org && json_object_get(r->body, "ref"))
        return ms_field_fail(&r->err, "ref", "is the keeping organization's own reference");
    talent_input in;
    if (talent_input_check(r->db, r->arena, r->caller, r->body, true, &in, &r->err))
        return r->err.code;
    if (org) {
        ms_access a;
        int rc = authz_org(r->db, r->caller, org, &a, &r->err);
        if (rc == MS_ENOTFOUND) {
            ms_error_clear(&r->err);
            return ms_field_fail(&r->err, "org_id", "is not an organization you belong to");
        }
        if (rc) return rc;
        if (a.level < LEVEL_EDIT)
            return ms_req_fail(r, MS_EFORBIDDEN, "talent-role",
                               "Viewers may not add profiles to their organization.");
    } else {
        db_stmt *st;
        int rc =
            db_query_row(r->db, &st, &r->err, "SELECT id FROM talent_profile WHERE user_id = ?",
                         "s", r->caller->user_id);
        if (rc < 0) return rc;
        if (rc == DB_ROW) {
            db_done(st);
            return ms_req_fail(r, MS_ECONFLICT, "talent-profile-exists",
                               "You already have a profile: change it with PATCH.");
        }
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    json_t *consent = json_pack("{s:s,s:s,s:s,s:s?}", "basis", org ? "attested" : "self", "by",
                                r->caller->user_id, "at", now, "note", note);
    char id[MS_ID_LEN];
    int64_t seq;
    int rc =
        talent_profile_insert(r->db, r->arena, r->caller->user_id, org ? NULL : r->caller->user_id,
                              org, &in, consent, id, &seq, &r->err);
    json_decref(consent);
    if (rc) return rc;
    talent_ref p;
    talent_viewer v;
    if ((rc = talent_open(r, id, &p, &v))) return rc;
    if (!org && (rc = talent_sync_production(r->db, seq, &r->err))) return rc;
    if ((rc = talent_event(r, &p, "talent.profile.created", "talent_profile", id, "%s",
                           org ? "profile kept for a person created" : "own profile created")))
        return rc;
    json_t *out;
    if ((rc = talent_profile_json(r, &p, &v, false, &out))) return rc;
    ms_reply_etag(r, p.version);
    return ms_reply(r, 201, out);
}

int h_talent_profile_get(ms_req *r)
{
    talent_ref p;
    talent_viewer v;
    int rc = talent_open(r, ms_req_param(r, "id"), &p, &v);
    if (rc) return rc;
    json_t *out;
    if ((rc = talent_profile_json(r, &p, &v, false, &out))) return rc;
    ms_reply_etag(r, p.version);
    return ms_reply(r, 200, out);
}

int h_talent_profile_update(ms_req *r)
{
    static const ms_jfield fields[] = {PROFILE_FIELDS, {NULL, 0, false, false, 0, 0, NULL}};
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    talent_ref p;
    talent_viewer v;
    int rc = talent_open(r, ms_req_param(r, "id"), &p, &v);
    if (rc || (rc = talent_require_edit(r, &p, &v))) return rc;
    if (json_object_get(r->body, "ref") && !v.steward)
        return ms_field_fail(&r->err, "ref", "is the keeping organization's own reference");
    if ((rc = ms_req_check_version(r, p.version))) return rc;
    talent_input in;
    if (talent_input_check(r->db, r->arena, r->caller, r->body, false, &in, &r->err))
        return r->err.code;
    if ((rc = talent_profile_apply(r->db, r->arena, p.seq, &in, true, &r->err))) return rc;
    if ((rc = talent_event(r, &p, "talent.profile.updated", "talent_profile", p.id,
                           "profile updated")))
        return rc;
    if ((rc = talent_open(r, p.id, &p, &v))) return rc;
    json_t *out;
    if ((rc = talent_profile_json(r, &p, &v, false, &out))) return rc;
    ms_reply_etag(r, p.version);
    return ms_reply(r, 200, out);
}

/* Erase: every personal datum goes; the row stays as a tombstone (its seq and id) so that
 * the search index and caches see the deletion. */
static int erase(ms_req *r, const talent_ref *p)
{
    static const char *const sql[] = {
        "DELETE FROM talent_credit WHERE profile_id = ?",
        "DELETE FROM talent_unavailable WHERE profile_id = ?",
        "DELETE FROM talent_shortlist_entry WHERE profile_id = ?",
        "DELETE FROM talent_invite WHERE profile_id = ?",
        "DELETE FROM talent_claim WHERE profile_id = ?",
    };
    int rc;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        if ((rc = db_exec(r->db, &r->err, sql[i], "s", p->id)) < 0) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE talent_profile SET user_id = NULL, ref = NULL, primary_name = '', names = "
                 "'[]', headline = '', bio = '', crafts = '[]', skills = '[]', languages = '[]', "
                 "country = '', region = '', city = '', affiliations = '[]', education = '[]', "
                 "showreel = NULL, portfolio = '[]', rate_currency = NULL, rate_day = NULL, "
                 "rate_week = NULL, contacts = '{}', consent = '{}', listed = 0, deleted_at = ?, "
                 "updated_at = ?, version = version + 1 WHERE seq = ?",
                 "ssI", now, now, p->seq);
    if (rc < 0) return rc;
    return talent_touch(r, p);
}

int h_talent_profile_delete(ms_req *r)
{
    talent_ref p;
    talent_viewer v;
    int rc = talent_open(r, ms_req_param(r, "id"), &p, &v);
    if (rc || (rc = talent_require_edit(r, &p, &v))) return rc;
    if ((rc = ms_req_check_version(r, p.version))) return rc;
    if ((rc = erase(r, &p))) return rc;
    if ((rc = talent_event(r, &p, "talent.profile.erased", "talent_profile", p.id,
                           "profile erased")))
        return rc;
    return ms_reply_empty(r);
}

/* The caller's own profile (MS_ENOTFOUND quietly when they have none). */
static int my_profile(ms_req *r, talent_ref *p, talent_viewer *v)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT id FROM talent_profile WHERE user_id = ? AND deleted_at IS NULL",
                          "s", r->caller->user_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_req_fail(r, MS_ENOTFOUND, "talent-no-profile",
                           "You have no profile yet: create one, or claim the one an "
                           "organization keeps for you.");
    char id[MS_ID_LEN];
    ms_strlcpy(id, db_col_text(st, 0), sizeof id);
    db_done(st);
    return talent_open(r, id, p, v);
}

int h_talent_me(ms_req *r)
{
    talent_ref p;
    talent_viewer v;
    int rc = my_profile(r, &p, &v);
    if (rc) return rc;
    json_t *out;
    if ((rc = talent_profile_json(r, &p, &v, false, &out))) return rc;
    ms_reply_etag(r, p.version);
    return ms_reply(r, 200, out);
}

static int rows_into(ms_req *r, json_t *o, const char *key, const char *sql, const char *id)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err, sql, "s", id);
    if (rc) return rc;
    json_t *arr = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(arr, db_row_json(st));
    db_done(st);
    json_object_set_new(o, key, arr);
    return rc < 0 ? rc : 0;
}

int h_talent_me_export(ms_req *r)
{
    talent_ref p;
    talent_viewer v;
    int rc = my_profile(r, &p, &v);
    if (rc) return rc;
    json_t *profile;
    if ((rc = talent_profile_json(r, &p, &v, false, &profile))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    json_t *o = json_pack("{s:s,s:s,s:o}", "format", "mstation-talent-export-1", "exported_at", now,
                          "profile", profile);
    static const struct {
        const char *key, *sql;
    } parts[] = {
        {"credits", "SELECT id, title, role, craft, year, company, org_id, project_id, source, "
                    "verified_at, verified_by, start_date, end_date, created_at, updated_at FROM "
                    "talent_credit WHERE profile_id = ? ORDER BY year, id"},
        {"unavailable", "SELECT id, start_date, end_date, note, created_at FROM talent_unavailable "
                        "WHERE profile_id = ? ORDER BY start_date"},
        {"invites", "SELECT i.id, i.project_id, i.org_id, o.name AS org_name, i.role, i.craft, "
                    "i.start_date, i.end_date, i.message, i.status, i.created_at, i.responded_at "
                    "FROM talent_invite i JOIN org o ON o.id = i.org_id WHERE i.profile_id = ? "
                    "ORDER BY i.id"},
        {"shortlisted_by", "SELECT o.id AS org_id, o.name AS org_name, e.added_at FROM "
                           "talent_shortlist_entry e JOIN talent_shortlist s ON s.id = "
                           "e.shortlist_id JOIN org o ON o.id = s.org_id WHERE e.profile_id = ? "
                           "ORDER BY e.added_at"},
        {"events",
         "SELECT at, action, body AS event_json FROM event WHERE object_id = ? ORDER BY seq"},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if ((rc = rows_into(r, o, parts[i].key, parts[i].sql, p.id))) {
            json_decref(o);
            return rc;
        }
    ms_reply_header(r, "Content-Disposition", "attachment; filename=\"talent-profile.json\"");
    return ms_reply(r, 200, o);
}

/* ---- Media: the showreel and portfolio, to whoever may see them. ---- */

int h_talent_profile_media(ms_req *r)
{
    talent_ref p;
    talent_viewer v;
    int rc = talent_open(r, ms_req_param(r, "id"), &p, &v);
    if (rc) return rc;
    const char *asset = ms_req_param(r, "asset_id"), *kind = ms_req_param(r, "kind");
    if (!talent_sees(&v, &p, TF_SHOWREEL) || !in_list(kind, media_kinds) || !ms_uuid_valid(asset))
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such media.");
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT showreel, portfolio FROM talent_profile WHERE seq = ?", "I", p.seq);
    if (rc < 0) return rc;
    int number = 0;
    if (rc == DB_ROW) {
        json_t *sr = col_json(st, 0), *pf = col_json(st, 1);
        if (!strcmp(asset, ms_json_str(sr, "asset_id") ? ms_json_str(sr, "asset_id") : ""))
            number = (int)ms_json_int(sr, "number", 0);
        size_t i;
        json_t *m;
        json_array_foreach(pf, i, m)
        {
            const char *a = ms_json_str(m, "asset_id");
            if (a && !strcmp(a, asset)) number = (int)ms_json_int(m, "number", 0);
        }
        json_decref(sr);
        json_decref(pf);
        db_done(st);
    }
    if (number < 1) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such media.");
    return assets_derivative_reply(r, asset, number, kind);
}

/* ---- Claiming. ---- */

#define CLAIM_PURPOSE "talent-claim"

int h_talent_claim_links_create(ms_req *r)
{
    static const ms_jfield fields[] = {
        {"email", MS_J_EMAIL, false, false, 0, 0, NULL},
        {"expires_in_days", MS_J_INT, false, false, 1, 60, NULL},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    talent_ref p;
    talent_viewer v;
    int rc = talent_open(r, ms_req_param(r, "id"), &p, &v);
    if (rc) return rc;
    if (!v.steward)
        return ms_req_fail(r, MS_EFORBIDDEN, "talent-not-steward",
                           "Only members of the organization that keeps this profile may invite "
                           "the person to claim it.");
    if (p.user_id[0])
        return ms_req_fail(r, MS_ECONFLICT, "talent-claimed", "This profile is already claimed.");
    char token[64], hash[65], now[MS_TIME_LEN], expires[MS_TIME_LEN];
    auth_credential_new("mstc_", token);
    auth_credential_hash(r->env, CLAIM_PURPOSE, token, hash);
    int64_t days = ms_json_int(r->body, "expires_in_days", 14);
    ms_now_str(now);
    ms_time_fmt(ms_now_ms() + days * 86400000LL, expires);
    const char *email = ms_json_str(r->body, "email");
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO talent_claim (token_hash, profile_id, email, created_by, created_at, "
                 "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                 "ssssss", hash, p.id, email ? email : "", r->caller->user_id, now, expires);
    if (rc < 0) return rc;
    if ((rc = talent_event(r, &p, "talent.claim_link.created", "talent_profile", p.id,
                           "claim link made")))
        return rc;
    return ms_reply(
        r, 201,
        json_pack("{s:s,s:s,s:s}", "token", token, "profile_id", p.id, "expires_at", expires));
}

int h_talent_claim(ms_req *r)
{
    static const ms_jfield fields[] = {
        {"token", MS_J_STRING, false, false, 1, 100, NULL},
        {"profile_id", MS_J_ID, false, false, 0, 0, NULL},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    const char *token = ms_json_str(r->body, "token"), *pid = ms_json_str(r->body, "profile_id");
    if (!token == !pid)
        return ms_field_fail(&r->err, "token", "give either a claim token or a profile_id");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT id FROM talent_profile WHERE user_id = ? AND deleted_at IS NULL",
                          "s", r->caller->user_id);
    if (rc < 0) return rc;
    if (rc == DB_ROW) {
        db_done(st);
        return ms_req_fail(r, MS_ECONFLICT, "talent-profile-exists",
                           "You already have a profile; erase it first to claim another.");
    }
    char id[MS_ID_LEN] = "", hash[65] = "", now[MS_TIME_LEN];
    ms_now_str(now);
    if (token) {
        auth_credential_hash(r->env, CLAIM_PURPOSE, token, hash);
        rc = db_query_row(r->db, &st, &r->err,
                          "SELECT profile_id, expires_at, used_at, email FROM talent_claim WHERE "
                          "token_hash = ?",
                          "s", hash);
        if (rc < 0) return rc;
        if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such claim link.");
        bool used = !db_col_null(st, 2), expired = strcmp(db_col_text(st, 1), now) < 0;
        bool wrong_email =
            db_col_text(st, 3)[0] && strcasecmp(db_col_text(st, 3), r->caller->email);
        ms_strlcpy(id, db_col_text(st, 0), sizeof id);
        db_done(st);
        if (used || expired)
            return ms_req_fail(r, MS_EGONE, "talent-claim-gone",
                               "This claim link was %s: ask the organization for a new one.",
                               used ? "used already" : "valid until its expiry, which has passed");
        if (wrong_email)
            return ms_req_fail(r, MS_EFORBIDDEN, "talent-claim-email",
                               "This claim link was made for another e-mail address.");
    } else {
        rc = db_query_row(r->db, &st, &r->err,
                          "SELECT contacts FROM talent_profile WHERE id = ? AND deleted_at IS NULL "
                          "AND user_id IS NULL",
                          "s", pid);
        if (rc < 0) return rc;
        bool match = false;
        if (rc == DB_ROW) {
            json_t *c = col_json(st, 0);
            const char *e = ms_json_str(c, "email");
            match = e && !strcasecmp(e, r->caller->email);
            json_decref(c);
            db_done(st);
        }
        if (!match)
            return ms_req_fail(r, MS_ENOTFOUND, NULL,
                               "No unclaimed profile with that id lists your e-mail address; ask "
                               "the organization that keeps it for a claim link.");
        ms_strlcpy(id, pid, sizeof id);
    }
    talent_ref p;
    talent_viewer v;
    if ((rc = talent_open(r, id, &p, &v))) return rc;
    if (p.user_id[0])
        return ms_req_fail(r, MS_ECONFLICT, "talent-claimed", "This profile is already claimed.");
    json_t *consent = json_pack("{s:s,s:s,s:s,s:s}", "basis", "self", "by", r->caller->user_id,
                                "at", now, "note", "claimed");
    char *ctext = json_dumps(consent, JSON_COMPACT);
    json_decref(consent);
    rc = db_exec(r->db, &r->err,
                 "UPDATE talent_profile SET user_id = ?, consent = ?, updated_at = ?, version = "
                 "version + 1 WHERE seq = ? AND user_id IS NULL",
                 "sssI", r->caller->user_id, ctext, now, p.seq);
    free(ctext);
    if (rc < 0) return rc;
    if (hash[0] &&
        (rc = db_exec(r->db, &r->err, "UPDATE talent_claim SET used_at = ? WHERE token_hash = ?",
                      "ss", now, hash)) < 0)
        return rc;
    if ((rc = talent_sync_production(r->db, p.seq, &r->err)) || (rc = talent_touch(r, &p)))
        return rc;
    if ((rc = talent_event(r, &p, "talent.profile.claimed", "talent_profile", p.id,
                           "profile claimed by its person")))
        return rc;
    if ((rc = talent_open(r, id, &p, &v))) return rc;
    json_t *out;
    if ((rc = talent_profile_json(r, &p, &v, false, &out))) return rc;
    ms_reply_etag(r, p.version);
    return ms_reply(r, 200, out);
}

/* ---- An organization's kept profiles. ---- */

int h_org_talent_profiles(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    int limit;
    char key[80];
    int rc;
    if ((rc = ms_req_query_only(r, allowed)) || (rc = ms_req_page(r, &limit, key, sizeof key)))
        return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT seq, id FROM talent_profile WHERE steward_org_id = ? AND id > ? AND "
                  "deleted_at IS NULL ORDER BY id LIMIT ?",
                  "ssi", ms_req_param(r, "id"), key, limit + 1);
    if (rc) return rc;
    int64_t seqs[501];
    char last[MS_ID_LEN] = "";
    int n = 0;
    while ((rc = db_step(st, &r->err)) == DB_ROW && n < limit + 1) {
        seqs[n++] = db_col_int(st, 0);
        if (n <= limit) ms_strlcpy(last, db_col_text(st, 1), sizeof last);
    }
    db_done(st);
    if (rc < 0) return rc;
    json_t *items = json_array();
    for (int i = 0; i < n && i < limit; i++) {
        json_t *card;
        talent_ref p;
        talent_viewer v;
        if ((rc = talent_open_seq(r, seqs[i], &p, &v)) == MS_ENOTFOUND) continue;
        if (rc || (rc = talent_profile_json(r, &p, &v, false, &card))) {
            json_decref(items);
            return rc;
        }
        json_array_append_new(items, card);
    }
    return ms_reply_list(r, items, n > limit ? last : NULL);
}
