/* avails_api.c: the avails engine's answers over HTTP - one title's avails (every cell's
 * timeline with the reason for each gap), the catalogue's avails (titles with something
 * available), the avails grid (titles x territories on one day for one medium, as JSON, CSV or
 * XLSX), and the live conflict check of the deal editor. The questions are parsed once, from
 * JSON (query parameters are turned into the same JSON), and answered from the cache's view. */
#include "rights/rights_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* ---- The question. ---- */

/* A bounded end for open terms: the day after 9999-12-31. */
av_day rights_far_end(void)
{
    av_day d = 0;
    dims_date_parse("9999-12-31", &d);
    return d + 1;
}

static av_day today(void)
{
    return (av_day)(ms_now_ms() / 86400000);
}

/* {"territories", "media", "languages", "start", "end", "exclusivity"} into a question; defaults:
 * WORLD, every medium, no language dimension, today, ten years, non-exclusive. */
int rights_question_parse(ms_req *r, const json_t *j, const dims_media_reg *reg, av_query *q)
{
    memset(q, 0, sizeof *q);
    ms_error e;
    ms_error_clear(&e);
    json_t *terr = json_object_get(j, "territories");
    json_t *world = json_string("WORLD");
    json_t *def_terr = json_pack("[O]", world);
    json_decref(world);
    if (dims_terr_parse(terr && !json_is_null(terr) ? terr : def_terr, &q->terrs, NULL, &e))
        ms_field_fail(&r->err, "territories", "%s", e.detail);
    json_decref(def_terr);
    ms_error_clear(&e);
    json_t *media = json_object_get(j, "media");
    json_t *def_media = json_pack("[s]", "all");
    if (dims_media_parse(media && !json_is_null(media) ? media : def_media, reg, &q->media, NULL,
                         &e))
        ms_field_fail(&r->err, "media", "%s", e.detail);
    json_decref(def_media);
    ms_error_clear(&e);
    json_t *langs = json_object_get(j, "languages");
    if (langs && !json_is_null(langs)) {
        av_lang *l = NULL;
        int nl = 0;
        if (dims_langs_parse(langs, true, r->arena, &l, &nl, NULL, &e))
            ms_field_fail(&r->err, "languages", "%s", e.detail);
        q->langs = l;
        q->nlangs = nl;
    }
    const char *start = ms_json_str(j, "start"), *end = ms_json_str(j, "end");
    q->start = today();
    if (start && !dims_date_parse(start, &q->start))
        ms_field_fail(&r->err, "start", "must be a date YYYY-MM-DD");
    q->end = q->start + 3652;
    if (end && strcmp(end, "open")) {
        av_day d;
        if (!dims_date_parse(end, &d))
            ms_field_fail(&r->err, "end", "must be a date YYYY-MM-DD (the last day) or open");
        else if (d < q->start)
            ms_field_fail(&r->err, "end", "is before start");
        else
            q->end = d + 1;
    } else if (end) {
        q->end = rights_far_end();
    }
    const char *ex = ms_json_str(j, "exclusivity");
    int x = ex ? dims_excl_parse(ex) : AV_NON_EXCLUSIVE;
    if (x < 0) ms_field_fail(&r->err, "exclusivity", "must be exclusive, sole or non_exclusive");
    q->excl = (uint8_t)(x < 0 ? 0 : x);
    return r->err.code ? r->err.code : 0;
}

/* "FR,DE,EUROPE,-GB" -> {"include": [...], "exclude": [...]}; "a,b" -> ["a", "b"];
 * "fr:dubbed,en" -> [{"tag": "fr", "kinds": ["dubbed"]}, "en"]. */
static json_t *split_list(const char *s, int mode)
{
    json_t *inc = json_array(), *exc = json_array();
    char buf[2048];
    if (!ms_strlcpy(buf, s, sizeof buf)) {
        /* Too long to be a list of codes: give the parser something it rejects. */
        json_array_append_new(inc, json_string("(too long)"));
        buf[0] = 0;
    }
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (!*tok) continue;
        if (mode == 0 && *tok == '-') {
            json_array_append_new(exc, json_string(tok + 1));
        } else if (mode == 2 && strchr(tok, ':')) {
            char *kinds = strchr(tok, ':');
            *kinds++ = 0;
            json_t *k = json_array();
            for (char *s2 = NULL, *kt = strtok_r(kinds, "+", &s2); kt;
                 kt = strtok_r(NULL, "+", &s2))
                json_array_append_new(k, json_string(kt));
            json_array_append_new(inc, json_pack("{s:s,s:o}", "tag", tok, "kinds", k));
        } else {
            json_array_append_new(inc, json_string(tok));
        }
    }
    if (mode == 0) return json_pack("{s:o,s:o}", "include", inc, "exclude", exc);
    json_decref(exc);
    return inc;
}

/* The question of a GET: query parameters as the JSON question. */
static json_t *question_from_query(ms_req *r)
{
    json_t *j = json_object();
    const char *v;
    if ((v = ms_req_query(r, "territories")))
        json_object_set_new(j, "territories", split_list(v, 0));
    if ((v = ms_req_query(r, "media"))) json_object_set_new(j, "media", split_list(v, 1));
    if ((v = ms_req_query(r, "languages")) && *v)
        json_object_set_new(j, "languages", split_list(v, 2));
    if ((v = ms_req_query(r, "start"))) json_object_set_new(j, "start", json_string(v));
    if ((v = ms_req_query(r, "end"))) json_object_set_new(j, "end", json_string(v));
    if ((v = ms_req_query(r, "exclusivity"))) json_object_set_new(j, "exclusivity", json_string(v));
    return j;
}

/* ---- The answer. ---- */

static const char *reason_name(int kind)
{
    switch (kind) {
    case AV_GAP_NO_RIGHTS:
        return "no_rights";
    case AV_GAP_RIGHTS_LEVEL:
        return "rights_level";
    case AV_GAP_EXCLUSIVE:
        return "exclusive";
    case AV_GAP_NON_EXCLUSIVE:
        return "non_exclusive";
    case AV_GAP_HOLDBACK:
        return "holdback";
    case AV_NOTE_PENDING:
        return "pending";
    default:
        return "unknown";
    }
}

/* What a reason points at, as JSON members of `o`. */
void rights_reason_refs(json_t *o, const av_reason *re, const rights_ref *refs, int nrefs)
{
    json_object_set_new(o, "reason", json_string(reason_name(re->kind)));
    if (re->kind == AV_GAP_NO_RIGHTS || (int)re->ref >= nrefs) return;
    const rights_ref *f = &refs[re->ref];
    switch (f->type) {
    case RIGHTS_REF_IN:
        json_object_set_new(o, "rights_in_id", json_string(f->id));
        break;
    case RIGHTS_REF_DEAL:
        json_object_set_new(o, "deal_id", json_string(f->id));
        json_object_set_new(o, "reference", json_string(rights_or(f->reference, "")));
        json_object_set_new(o, "licensee_name", json_string(rights_or(f->licensee, "")));
        json_object_set_new(o, "status", json_string(rights_or(f->status, "")));
        break;
    case RIGHTS_REF_HOLDBACK:
        json_object_set_new(o, "holdback_id", json_string(f->id));
        if (f->licensee) json_object_set_new(o, "licensee_name", json_string(f->licensee));
        break;
    }
}

static json_t *day_json(av_day d, bool is_end)
{
    if (is_end && d >= rights_far_end()) return json_null();
    char buf[11];
    dims_date_fmt(is_end ? d - 1 : d, buf);
    return json_string(buf);
}

/* The cells of a result as JSON, and the available windows merged per cell. */
static void result_json(const av_result *res, const av_query *q, const rights_ref *refs, int nrefs,
                        const dims_media_reg *reg, json_t *cells, json_t *available)
{
    for (int c = 0; c < res->ncells; c++) {
        const av_cell *cell = &res->cells[c];
        json_t *terrs = dims_terr_codes(&cell->terrs);
        const char *media =
            cell->media >= 0 && cell->media < reg->n ? reg->codes[cell->media] : "?";
        const char *lang =
            cell->lang >= 0 && cell->lang < q->nlangs ? q->langs[cell->lang].tag : NULL;
        json_t *segs = json_array();
        for (int s = 0; s < cell->nsegs; s++) {
            const av_segment *sg = &cell->segs[s];
            json_t *reasons = json_array();
            for (int k = 0; k < sg->nreasons; k++) {
                json_t *o = json_object();
                rights_reason_refs(o, &sg->reasons[k], refs, nrefs);
                json_array_append_new(reasons, o);
            }
            json_t *so =
                json_pack("{s:o,s:o,s:b,s:o}", "start", day_json(sg->start, false), "end",
                          day_json(sg->end, true), "available", sg->available, "reasons", reasons);
            if (sg->more) json_object_set_new(so, "more", json_integer(sg->more));
            json_array_append_new(segs, so);
            if (sg->available && available) {
                json_t *a =
                    json_pack("{s:O,s:s,s:o,s:o}", "territories", terrs, "media", media, "start",
                              day_json(sg->start, false), "end", day_json(sg->end, true));
                if (lang) json_object_set_new(a, "language", json_string(lang));
                json_array_append_new(available, a);
            }
        }
        if (cells) {
            json_t *co =
                json_pack("{s:O,s:s,s:o}", "territories", terrs, "media", media, "segments", segs);
            if (lang) json_object_set_new(co, "language", json_string(lang));
            json_array_append_new(cells, co);
        } else {
            json_decref(segs);
        }
        json_decref(terrs);
    }
}

static json_t *question_json(const av_query *q)
{
    return json_pack("{s:o,s:o,s:s}", "start", day_json(q->start, false), "end",
                     day_json(q->end, true), "exclusivity", dims_excl_name(q->excl));
}

/* GET /titles/{id}/avails */
int h_title_avails(ms_req *r)
{
    static const char *const allowed[] = {"territories", "media",       "languages", "start",
                                          "end",         "exclusivity", "org",       NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    const char *id = ms_req_param(r, "id");
    rights_org o;
    if ((rc = rights_title_scope(r, id, &o, NULL))) return rc;
    rights_view *v;
    if ((rc = rights_cache_get(r, o.org_id, &v))) return rc;
    json_t *qj = question_from_query(r);
    av_query q;
    rc = rights_question_parse(r, qj, rights_view_media(v), &q);
    json_decref(qj);
    const rights_title_windows *t = rc ? NULL : rights_view_title(v, id);
    av_result res = {0};
    if (!rc && t) rc = av_compute(t->w, t->nw, &q, r->arena, &res);
    if (rc) {
        rights_cache_release(v);
        return rc == MS_EINVAL && !r->err.code
                   ? ms_req_fail(r, rc, NULL, "The question is not valid.")
                   : rc;
    }
    json_t *cells = json_array(), *avail = json_array();
    if (t) result_json(&res, &q, t->refs, t->nrefs, rights_view_media(v), cells, avail);
    rights_cache_release(v);
    json_t *out = question_json(&q);
    json_object_set_new(out, "title_id", json_string(id));
    json_object_set_new(out, "org_id", json_string(o.org_id));
    json_object_set_new(out, "cells", cells);
    json_object_set_new(out, "available", avail);
    return ms_reply(r, 200, out);
}

/* POST /orgs/{id}/avails {"title_ids"?, question..., "limit"?} */
int h_avails_query(ms_req *r)
{
    static const ms_jfield fields[] = {
        {"title_ids", MS_J_ARRAY, false, false, 0, 1000, NULL},
        {"territories", MS_J_ARRAY, false, true, 0, 0, NULL},
        {"media", MS_J_ARRAY, false, true, 0, 64, NULL},
        {"languages", MS_J_ARRAY, false, true, 0, 64, NULL},
        {"start", MS_J_STRING, false, true, 0, 10, NULL},
        {"end", MS_J_STRING, false, true, 0, 10, NULL},
        {"exclusivity", MS_J_STRING, false, true, 0, 20, NULL},
        {"limit", MS_J_INT, false, false, 1, 1000, NULL},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    /* territories may be an object too: check it apart. */
    json_t *b = json_deep_copy(r->body);
    json_t *terr = json_incref(json_object_get(b, "territories"));
    json_object_del(b, "territories");
    int rc = ms_json_check(b, fields, &r->err);
    json_decref(b);
    if (rc) {
        json_decref(terr);
        return rc;
    }
    json_decref(terr);
    rights_org o;
    if ((rc = rights_org_get(r, ms_req_param(r, "id"), &o))) return rc;
    rights_view *v;
    if ((rc = rights_cache_get(r, o.org_id, &v))) return rc;
    av_query q;
    if ((rc = rights_question_parse(r, r->body, rights_view_media(v), &q))) {
        rights_cache_release(v);
        return rc;
    }
    int limit = (int)ms_json_int(r->body, "limit", 100);
    json_t *ids = json_object_get(r->body, "title_ids");
    int n = ids ? (int)json_array_size(ids) : rights_view_count(v);
    json_t *items = json_array();
    ms_arena scratch;
    ms_arena_init(&scratch, 16384);
    for (int i = 0; i < n && (int)json_array_size(items) < limit; i++) {
        const rights_title_windows *t;
        if (ids) {
            const char *tid = json_string_value(json_array_get(ids, (size_t)i));
            t = tid ? rights_view_title(v, tid) : NULL;
            if (!t) continue; /* not in this catalogue: nothing to sell */
        } else {
            t = rights_view_at(v, i);
        }
        av_result res = {0};
        ms_arena_reset(&scratch);
        if ((rc = av_compute(t->w, t->nw, &q, &scratch, &res))) break;
        json_t *avail = json_array();
        result_json(&res, &q, t->refs, t->nrefs, rights_view_media(v), NULL, avail);
        if (!json_array_size(avail)) {
            json_decref(avail);
            continue;
        }
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:o}", "title_id", t->id, "title",
                                               t->name, "kind", t->kind, "available", avail));
    }
    ms_arena_free(&scratch);
    rights_cache_release(v);
    if (rc) {
        json_decref(items);
        return rc;
    }
    json_t *out = question_json(&q);
    json_object_set_new(out, "items", items);
    return ms_reply(r, 200, out);
}

/* ---- The grid. ---- */

static const char cell_letters[] = "ANLXEH"; /* by AV_CELL_* */

typedef struct grid_row {
    const rights_title_windows *t;
    char *cells;
} grid_row;

static int grid_csv(ms_req *r, const json_t *terrs, grid_row *rows, int n)
{
    ms_buf *b = &r->out;
    ms_buf_puts(b, "title_id,title,kind");
    size_t i;
    json_t *v;
    json_array_foreach(terrs, i, v) ms_buf_printf(b, ",%s", json_string_value(v));
    ms_buf_puts(b, "\r\n");
    for (int k = 0; k < n; k++) {
        ms_buf_printf(b, "%s,\"", rows[k].t->id);
        for (const char *p = rows[k].t->name; *p; p++) {
            if (*p == '"') ms_buf_putc(b, '"');
            ms_buf_putc(b, *p);
        }
        ms_buf_printf(b, "\",%s", rows[k].t->kind);
        for (const char *c = rows[k].cells; *c; c++)
            ms_buf_printf(b, ",%c", *c);
        ms_buf_puts(b, "\r\n");
    }
    if (b->oom) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    r->out_type = "text/csv; charset=utf-8";
    ms_reply_header(r, "Content-Disposition", "attachment; filename=\"avails-grid.csv\"");
    r->status = 200;
    return 0;
}

static int grid_xlsx(ms_req *r, const json_t *terrs, grid_row *rows, int n, const char *media,
                     const char *date)
{
    char path[600];
    snprintf(path, sizeof path, "%s/grid-%s.xlsx", r->env->work_dir, r->request_id);
    lxw_workbook *wb = workbook_new(path);
    if (!wb) return ms_req_fail(r, MS_EIO, NULL, "Could not write the spreadsheet.");
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Avails");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *fill[6];
    static const uint32_t colors[6] = {0xC6EFCE, 0xE7E6E6, 0xFFEB9C, 0xFFC7CE, 0xFCE4D6, 0xD9D2E9};
    for (int k = 0; k < 6; k++) {
        fill[k] = workbook_add_format(wb);
        format_set_bg_color(fill[k], colors[k]);
        format_set_align(fill[k], LXW_ALIGN_CENTER);
    }
    char head[128];
    snprintf(head, sizeof head, "Avails for %s on %s", media, date);
    worksheet_write_string(ws, 0, 0, head, bold);
    worksheet_write_string(ws, 1, 0, "Title", bold);
    worksheet_write_string(ws, 1, 1, "Kind", bold);
    size_t i;
    json_t *v;
    json_array_foreach(terrs, i, v)
        worksheet_write_string(ws, 1, (lxw_col_t)(2 + i), json_string_value(v), bold);
    for (int k = 0; k < n; k++) {
        worksheet_write_string(ws, (lxw_row_t)(2 + k), 0, rows[k].t->name, NULL);
        worksheet_write_string(ws, (lxw_row_t)(2 + k), 1, rows[k].t->kind, NULL);
        for (int c = 0; rows[k].cells[c]; c++) {
            char s[2] = {rows[k].cells[c], 0};
            const char *at = strchr(cell_letters, s[0]);
            worksheet_write_string(ws, (lxw_row_t)(2 + k), (lxw_col_t)(2 + c), s,
                                   fill[at ? at - cell_letters : 0]);
        }
    }
    worksheet_freeze_panes(ws, 2, 2);
    lxw_error xe = workbook_close(wb);
    if (xe != LXW_NO_ERROR) {
        unlink(path);
        return ms_req_fail(r, MS_EIO, NULL, "Could not write the spreadsheet: %s",
                           lxw_strerror(xe));
    }
    FILE *f = fopen(path, "rb");
    int rc = 0;
    if (!f) {
        rc = ms_req_fail(r, MS_EIO, NULL, "Could not read the spreadsheet back.");
    } else {
        char buf[65536];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0)
            ms_buf_append(&r->out, buf, got);
        fclose(f);
        if (r->out.oom) rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    unlink(path);
    if (rc) return rc;
    r->out_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    ms_reply_header(r, "Content-Disposition", "attachment; filename=\"avails-grid.xlsx\"");
    r->status = 200;
    return 0;
}

/* GET /orgs/{id}/avails/grid?media=&date=&territories=&exclusivity=&q=&kind=&limit=&cursor=&format=
 */
int h_avails_grid(ms_req *r)
{
    static const char *const allowed[] = {"media", "date",  "territories", "exclusivity", "q",
                                          "kind",  "limit", "cursor",      "format",      NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    const char *format = rights_or(ms_req_query(r, "format"), "json");
    bool json_out = !strcmp(format, "json");
    if (!json_out && strcmp(format, "csv") && strcmp(format, "xlsx"))
        return ms_field_fail(&r->err, "format", "must be json, csv or xlsx");
    int64_t limit = 0;
    if ((rc = ms_req_query_int(r, "limit", json_out ? 200 : 100000, 1, json_out ? 2000 : 100000,
                               &limit)))
        return rc;
    rights_org o;
    if ((rc = rights_org_get(r, ms_req_param(r, "id"), &o))) return rc;
    const char *media = ms_req_query(r, "media");
    if (!media) return ms_field_fail(&r->err, "media", "is required (one medium, e.g. svod)");
    rights_view *v;
    if ((rc = rights_cache_get(r, o.org_id, &v))) return rc;
    const dims_media_reg *reg = rights_view_media(v);
    int mi = dims_media_index(reg, media);
    if (mi < 0) ms_field_fail(&r->err, "media", "is not a medium of this organization");
    av_day day = today();
    const char *date = ms_req_query(r, "date");
    if (date && !dims_date_parse(date, &day)) ms_field_fail(&r->err, "date", "must be YYYY-MM-DD");
    av_terrs terrs;
    ms_error e;
    ms_error_clear(&e);
    json_t *tj = split_list(rights_or(ms_req_query(r, "territories"), "WORLD"), 0);
    if (dims_terr_parse(tj, &terrs, NULL, &e))
        ms_field_fail(&r->err, "territories", "%s", e.detail);
    json_decref(tj);
    const char *ex = ms_req_query(r, "exclusivity");
    int excl = ex ? dims_excl_parse(ex) : AV_EXCLUSIVE;
    if (excl < 0) ms_field_fail(&r->err, "exclusivity", "must be exclusive, sole or non_exclusive");
    const char *kind = ms_req_query(r, "kind"), *q = ms_req_query(r, "q");
    const char *cursor = ms_req_query(r, "cursor");
    if (r->err.code) {
        rights_cache_release(v);
        return r->err.code;
    }
    /* The territory columns, in table order. */
    int cols[AV_NTERR], ncols = 0;
    for (int t = 0; t < dims_terr_count(); t++)
        if (av_terrs_has(&terrs, t)) cols[ncols++] = t;
    json_t *codes = dims_terr_codes(&terrs);
    char *lq = NULL;
    if (q && *q) {
        lq = ms_arena_strdup(r->arena, q);
        ms_str_lower(lq);
    }
    grid_row *rows = ms_arena_alloc(r->arena, (size_t)(limit + 1) * sizeof *rows);
    uint8_t status[AV_NTERR];
    int n = 0, total = rights_view_count(v);
    char *last = NULL;
    for (int i = 0; i < total; i++) {
        const rights_title_windows *t = rights_view_at(v, i);
        if (cursor && strcmp(t->id, cursor) <= 0) continue;
        if (kind && strcmp(t->kind, kind)) continue;
        if (lq) {
            char *name = ms_arena_strdup(r->arena, t->name);
            ms_str_lower(name);
            if (!strstr(name, lq)) continue;
        }
        if (n == limit) {
            last = rows[n - 1].t ? (char *)rows[n - 1].t->id : NULL;
            break;
        }
        av_status_on(t->w, t->nw, &terrs, mi, day, (uint8_t)excl, status, NULL);
        char *cells = ms_arena_alloc(r->arena, (size_t)ncols + 1);
        for (int c = 0; c < ncols; c++)
            cells[c] = cell_letters[status[cols[c]] % 6];
        rows[n].t = t;
        rows[n++].cells = cells;
    }
    char dbuf[11];
    dims_date_fmt(day, dbuf);
    if (!json_out) {
        rc = !strcmp(format, "csv") ? grid_csv(r, codes, rows, n)
                                    : grid_xlsx(r, codes, rows, n, media, dbuf);
        json_decref(codes);
        rights_cache_release(v);
        return rc;
    }
    json_t *items = json_array();
    for (int k = 0; k < n; k++)
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s}", "title_id", rows[k].t->id,
                                               "title", rows[k].t->name, "kind", rows[k].t->kind,
                                               "cells", rows[k].cells));
    json_t *out = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "media", media, "date", dbuf,
                            "exclusivity", dims_excl_name(excl), "territories", codes, "rows",
                            items, "next_cursor", last ? json_string(last) : json_null());
    rights_cache_release(v);
    return ms_reply(r, 200, out);
}

/* POST /orgs/{id}/avails/check {"rights": [...], "deal_id"?} */
int h_avails_check(ms_req *r)
{
    json_t *rights = json_object_get(r->body, "rights");
    const char *deal_id = ms_json_str(r->body, "deal_id");
    const char *key;
    json_t *v;
    json_object_foreach(r->body, key, v)
    {
        if (strcmp(key, "rights") && strcmp(key, "deal_id"))
            ms_field_fail(&r->err, key, "is not a known field");
    }
    if (!json_is_array(rights) || json_array_size(rights) > 500)
        ms_field_fail(&r->err, "rights", "must be a list of at most 500 rights rows");
    if (deal_id && !ms_uuid_valid(deal_id)) ms_field_fail(&r->err, "deal_id", "must be a deal id");
    if (r->err.code) return r->err.code;
    rights_org o;
    int rc = rights_org_get(r, ms_req_param(r, "id"), &o);
    if (rc) return rc;
    json_t *conflicts = NULL;
    if ((rc = rights_conflicts(r, &o, rights, deal_id, &conflicts))) return rc;
    return ms_reply(r, 200, json_pack("{s:o}", "conflicts", conflicts));
}
