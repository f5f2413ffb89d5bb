/* match.c: POST /api/v1/orgs/{id}/talent/match - candidates for a project's need (a craft,
 * dates, languages, skills, a place, a budget), ranked and explained.
 *
 * Candidates are the listed profiles whose crafts, as far as the caller may read them,
 * include the craft asked for. They are ranked available first (free, then partly free, then
 * unknown - availability not shared - then booked), then by a score that is the sum of the
 * points of each factor in "explain" (availability, credits in the craft, skills, languages,
 * location, budget), each with its maximum and a sentence. A field the caller may not read
 * adds no point and says "not shared" (a hidden rate is neutral rather than a penalty). The
 * scoring itself runs over the attribute index (index.c: talent_ix_match).
 *
 * Not here: writes. The route reads in a read transaction of its own (MS_ROUTE_NO_TX), so a
 * search does not hold the write lock. */
#include "talent/talent_internal.h"

#include "core/money.h"
#include "core/textgram.h"

#include <stdio.h>
#include <string.h>

static const char *const levels[] = {"native",         "fluent", "professional",
                                     "conversational", "basic",  NULL};

/* Check and read the need; field errors collect in r->err. */
static void need_parse(ms_req *r, talent_need *nd)
{
    const json_t *b = r->body;
    memset(nd, 0, sizeof *nd);
    nd->craft = ms_json_str(b, "craft");
    if (nd->craft && !talent_craft_valid(r, nd->craft))
        ms_field_fail(&r->err, "craft", "is not a craft (see GET /api/v1/talent/crafts)");
    nd->limit = (int)ms_json_int(b, "limit", 20);

    const char *from = ms_json_str(b, "from"), *to = ms_json_str(b, "to");
    if (from || to) {
        if (!from || !to)
            ms_field_fail(&r->err, from ? "to" : "from", "is needed with %s", from ? "from" : "to");
        else if (!talent_day_parse(from, &nd->from))
            ms_field_fail(&r->err, "from", "must be a date YYYY-MM-DD");
        else if (!talent_day_parse(to, &nd->to))
            ms_field_fail(&r->err, "to", "must be a date YYYY-MM-DD");
        else if (nd->to < nd->from)
            ms_field_fail(&r->err, "to", "is before from");
        else if (nd->to - nd->from > 366)
            ms_field_fail(&r->err, "to", "must be at most a year after from");
        nd->window = true;
    }

    static const ms_jfield lang_fields[] = {
        {"tag", MS_J_LOCALE, true, false, 0, 35, NULL},
        {"level", MS_J_ENUM, false, false, 0, 0, levels},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(b, "languages"), i, x)
    {
        ms_error e;
        ms_error_clear(&e);
        char field[48];
        snprintf(field, sizeof field, "languages/%zu", i);
        if (ms_json_check(x, lang_fields, &e)) {
            ms_field_fail(&r->err, field, "%s",
                          e.nfields ? e.fields[0].message : "must be {\"tag\", \"level\"}");
            continue;
        }
        if (nd->nlangs == TALENT_NEED_LANGS) continue;
        nd->langs[nd->nlangs].tag = ms_json_str(x, "tag");
        const char *lv = ms_json_str(x, "level");
        nd->langs[nd->nlangs].level = lv ? talent_lang_level(lv) : 1;
        nd->nlangs++;
    }
    json_array_foreach(json_object_get(b, "skills"), i, x)
    {
        const char *s = json_string_value(x);
        char field[48];
        snprintf(field, sizeof field, "skills/%zu", i);
        ms_buf f;
        ms_buf_init(&f);
        ms_error e;
        if (!s || !ms_str_is_clean_text(s, 400, false) || ms_utf8_chars(s) > 80 ||
            tg_fold(s, strlen(s), &f, &e) || !f.len) {
            ms_field_fail(&r->err, field, "must be a skill (1 to 80 characters)");
        } else if (nd->nskills < TALENT_NEED_SKILLS) {
            nd->skills[nd->nskills++] = ms_arena_strdup(r->arena, f.data);
        }
        ms_buf_free(&f);
    }

    const json_t *loc = json_object_get(b, "location");
    if (loc && !json_is_null(loc)) {
        static const ms_jfield loc_fields[] = {
            {"country", MS_J_STRING, false, true, 2, 2, NULL},
            {"city", MS_J_STRING, false, true, 1, 100, NULL},
            {NULL, 0, false, false, 0, 0, NULL},
        };
        ms_error e;
        ms_error_clear(&e);
        if (ms_json_check(loc, loc_fields, &e)) {
            ms_field_fail(&r->err, "location", "%s%s%s",
                          e.nfields ? e.fields[0].field : "must be {\"country\", \"city\"}",
                          e.nfields ? ": " : "", e.nfields ? e.fields[0].message : "");
        } else {
            const char *c = ms_json_str(loc, "country");
            if (c) {
                char *cc = ms_arena_strdup(r->arena, c);
                for (char *p = cc; *p; p++)
                    if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
                if (!(cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z'))
                    ms_field_fail(&r->err, "location/country",
                                  "must be a two-letter country code (CN)");
                nd->country = cc;
            }
            const char *city = ms_json_str(loc, "city");
            if (city) {
                ms_buf f;
                ms_buf_init(&f);
                ms_error fe;
                if (tg_fold(city, strlen(city), &f, &fe) || !f.len)
                    ms_field_fail(&r->err, "location/city", "must name a city");
                else
                    nd->city = ms_arena_strdup(r->arena, f.data);
                ms_buf_free(&f);
            }
        }
    }

    const json_t *bud = json_object_get(b, "budget");
    if (bud && !json_is_null(bud)) {
        const char *cur = ms_json_str(bud, "currency");
        const json_t *day = json_object_get(bud, "day");
        bool unknown = false;
        const char *k;
        json_t *kv;
        json_object_foreach((json_t *)bud, k, kv) unknown =
            unknown || (strcmp(k, "currency") && strcmp(k, "day"));
        if (unknown || !cur || !day)
            ms_field_fail(&r->err, "budget",
                          "must be {\"currency\": \"CNY\", \"day\": \"1200.00\"}");
        else if (!ms_currency_valid(cur))
            ms_field_fail(&r->err, "budget/currency", "must be an ISO 4217 currency code");
        else if (!ms_money_parse(day, cur, &nd->budget_day, "budget/day", &r->err)) {
            nd->budget = true;
            nd->currency = cur;
        }
    }
}

int h_org_talent_match(ms_req *r)
{
    static const ms_jfield fields[] = {
        {"craft", MS_J_SLUG, true, false, 2, 40, NULL},
        {"from", MS_J_STRING, false, true, 10, 10, NULL},
        {"to", MS_J_STRING, false, true, 10, 10, NULL},
        {"languages", MS_J_ARRAY, false, true, 0, TALENT_NEED_LANGS, NULL},
        {"skills", MS_J_ARRAY, false, true, 0, TALENT_NEED_SKILLS, NULL},
        {"location", MS_J_OBJECT, false, true, 0, 2, NULL},
        {"budget", MS_J_OBJECT, false, true, 0, 2, NULL},
        {"limit", MS_J_INT, false, false, 1, 100, NULL},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    int rc = db_in_tx(r->db) ? 0 : db_begin(r->db, DB_TX_READ, &r->err);
    if (rc) return rc;
    talent_need nd;
    need_parse(r, &nd);
    if (r->err.code) {
        db_rollback(r->db);
        return r->err.code;
    }
    talent_match_item *items;
    int n;
    int64_t considered;
    rc = talent_ix_match(r, &nd, &items, &n, &considered);
    json_t *out = json_array();
    for (int i = 0; !rc && i < n; i++) {
        json_t *card;
        rc = talent_card_json(r, items[i].seq, &card);
        if (rc == MS_ENOTFOUND) {
            ms_error_clear(&r->err);
            rc = 0;
            continue;
        }
        if (rc) break;
        json_t *explain = json_array();
        for (int k = 0; k < items[i].nf; k++) {
            const talent_factor *f = &items[i].f[k];
            json_array_append_new(explain,
                                  json_pack("{s:s,s:i,s:i,s:s}", "factor", f->factor, "points",
                                            f->points, "max", f->max, "detail", f->detail));
        }
        json_array_append_new(
            out, json_pack("{s:o,s:i,s:s,s:o}", "profile", card, "score", items[i].score,
                           "available", talent_avail_name(items[i].avail), "explain", explain));
    }
    db_rollback(r->db);
    if (rc) {
        json_decref(out);
        return rc;
    }
    return ms_reply(r, 200,
                    json_pack("{s:o,s:I}", "items", out, "considered", (json_int_t)considered));
}
