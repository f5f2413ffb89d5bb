/* conflicts.c: may these rights rows be licensed? Each proposed row is asked of the engine as a
 * question (its territories, media, languages, term and exclusivity) against the
 * organization's windows read from the database inside the caller's transaction - never the
 * cache, which may be a moment behind - and every day that is not available becomes a conflict
 * naming what blocks it. Deal create, change and signature, offer acceptance and the deal
 * editor's live check all come here. */
#include "rights/rights_internal.h"

#include <stdlib.h>
#include <string.h>

#define CONFLICTS_MAX 200

typedef struct title_windows {
    const char *title_id;
    av_window *w;
    int nw, cap;
    rights_ref *refs;
    int nrefs, rcap;
    ms_arena *a;
} title_windows;

static int collect(void *p, const char *title_id, av_window *w, const rights_ref *ref,
                   ms_error *err)
{
    title_windows *x = p;
    (void)title_id;
    if (x->nrefs == x->rcap) {
        int cap = x->rcap ? x->rcap * 2 : 16;
        rights_ref *n = ms_arena_alloc(x->a, (size_t)cap * sizeof *n);
        if (!n) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        if (x->nrefs) memcpy(n, x->refs, (size_t)x->nrefs * sizeof *n);
        x->refs = n;
        x->rcap = cap;
    }
    rights_ref *dst = &x->refs[x->nrefs++];
    *dst = *ref;
    dst->reference = ref->reference ? ms_arena_strdup(x->a, ref->reference) : NULL;
    dst->licensee = ref->licensee ? ms_arena_strdup(x->a, ref->licensee) : NULL;
    dst->status = ref->status ? ms_arena_strdup(x->a, ref->status) : NULL;
    if (x->nw == x->cap) {
        int cap = x->cap ? x->cap * 2 : 32;
        av_window *n = ms_arena_alloc(x->a, (size_t)cap * sizeof *n);
        if (!n) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        if (x->nw) memcpy(n, x->w, (size_t)x->nw * sizeof *n);
        x->w = n;
        x->cap = cap;
    }
    x->w[x->nw] = *w;
    x->w[x->nw++].ref = (uint32_t)(x->nrefs - 1);
    return 0;
}

int rights_conflicts(ms_req *r, const rights_org *o, const json_t *rights,
                     const char *ignore_deal_id, json_t **conflicts)
{
    *conflicts = NULL;
    dims_media_reg reg;
    int rc = rights_media_reg(r, o->org_id, &reg);
    if (rc) return rc;
    size_t n = json_array_size(rights);
    rights_row *rows = ms_arena_alloc(r->arena, (n ? n : 1) * sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rights_row_parse(r, json_array_get(rights, i), &reg, RIGHTS_ROW_DEAL, NULL,
                         ms_arena_printf(r->arena, "rights/%zu", i), &rows[i]);
    if (r->err.code) return r->err.code;
    rights_parse_memo *memo = rights_memo_new(r->arena);
    if (!memo) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    json_t *out = json_array();
    av_day far = rights_far_end();
    int total = 0;
    /* Rows of the same title share one read of its windows. */
    title_windows tw = {0};
    for (size_t i = 0; i < n && !rc; i++) {
        if (!tw.title_id || strcmp(tw.title_id, rows[i].title_id)) {
            tw = (title_windows){.title_id = rows[i].title_id, .a = r->arena};
            rc = rights_windows_load(r->db, o->org_id, rows[i].title_id, ignore_deal_id, &reg, memo,
                                     collect, &tw, &r->err);
            if (rc) break;
        }
        av_query q = {.terrs = rows[i].w.terrs,
                      .media = rows[i].w.media,
                      .langs = rows[i].w.langs,
                      .nlangs = rows[i].w.nlangs,
                      .start = rows[i].w.start,
                      .end = rows[i].w.end == AV_OPEN_END ? far : rows[i].w.end,
                      .excl = (uint8_t)rows[i].excl};
        av_result res = {0};
        if ((rc = av_compute(tw.w, tw.nw, &q, r->arena, &res))) {
            if (rc == MS_EINVAL) rc = ms_req_fail(r, MS_EINVAL, NULL, "The right's term is empty.");
            break;
        }
        for (int c = 0; c < res.ncells; c++) {
            const av_cell *cell = &res.cells[c];
            for (int s = 0; s < cell->nsegs; s++) {
                const av_segment *sg = &cell->segs[s];
                if (sg->available) continue;
                for (int k = 0; k < sg->nreasons; k++) {
                    if (sg->reasons[k].kind == AV_NOTE_PENDING) continue;
                    if (++total > CONFLICTS_MAX) continue;
                    char sd[11], ed[11];
                    dims_date_fmt(sg->start, sd);
                    dims_date_fmt(sg->end - 1, ed);
                    json_t *cj = json_pack(
                        "{s:s,s:i,s:o,s:s,s:s,s:o}", "title_id", rows[i].title_id, "right", (int)i,
                        "territories", dims_terr_codes(&cell->terrs), "media",
                        cell->media < reg.n ? reg.codes[cell->media] : "?", "start", sd, "end",
                        sg->end >= far ? json_null() : json_string(ed));
                    if (cell->lang >= 0 && cell->lang < q.nlangs)
                        json_object_set_new(cj, "language", json_string(q.langs[cell->lang].tag));
                    rights_reason_refs(cj, &sg->reasons[k], tw.refs, tw.nrefs);
                    json_array_append_new(out, cj);
                }
            }
        }
    }
    rights_memo_free(memo);
    if (rc) {
        json_decref(out);
        return rc;
    }
    *conflicts = out;
    if (total > CONFLICTS_MAX) {
        /* Said, not silently dropped. */
        json_array_append_new(
            out, json_pack("{s:s,s:i}", "reason", "more", "count", total - CONFLICTS_MAX));
    }
    return 0;
}
