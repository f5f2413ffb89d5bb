/* fuzz_dims.c: libFuzzer target for src/rights/dims (and the engine it feeds). Input: a mode
 * byte, then text: 0 a territory expression (JSON), 1 a language list (JSON), 2 a BCP 47 tag,
 * 3 an EIDR id, 4 two dates (a term, split at the first ','), 5 a media list (JSON), 6 raw
 * bytes made into windows and a question for av_compute / av_status_on.
 * Invariants: no crash, no leak, no sanitizer report; what parses is canonical and parses back
 * to the same thing (idempotent); a failed parse leaves its outputs untouched and says why;
 * dates print back as they were read; an accepted EIDR id stays valid once canonical, and
 * its check character is the one computed; the engine's segments cover the question exactly,
 * cells of one media and language are disjoint and cover the question's territories. */
#include "rights/dims.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void check_terr(json_t *j)
{
    av_terrs s, s2, keep;
    memset(&s, 0x5A, sizeof s);
    keep = s;
    json_t *c = NULL, *c2 = NULL;
    ms_error e;
    ms_error_clear(&e);
    if (dims_terr_parse(j, &s, &c, &e)) {
        if (memcmp(&s, &keep, sizeof s) || c || (!e.nfields && !e.detail[0])) abort();
        return;
    }
    if (!c || dims_terr_popcount(&s) == 0) abort();
    ms_error_clear(&e);
    if (dims_terr_parse(c, &s2, &c2, &e) || memcmp(&s, &s2, sizeof s) || !json_equal(c, c2))
        abort();
    json_t *codes = dims_terr_codes(&s);
    if (!codes || (int)json_array_size(codes) != dims_terr_popcount(&s)) abort();
    json_decref(codes);
    json_decref(c);
    json_decref(c2);
}

static void check_langs(json_t *j)
{
    ms_arena a;
    ms_arena_init(&a, 4096);
    for (int question = 0; question < 2; question++) {
        av_lang *l = NULL, *l2 = NULL;
        int n = -7, n2;
        json_t *c = NULL, *c2 = NULL;
        ms_error e;
        ms_error_clear(&e);
        if (dims_langs_parse(j, question, &a, &l, &n, &c, &e)) {
            if (n != -7 || c || l || (!e.nfields && !e.detail[0])) abort();
            continue;
        }
        for (int i = 0; i < n; i++) {
            char buf[64];
            if (!dims_lang_canonical(l[i].tag, buf, sizeof buf) || strcmp(buf, l[i].tag)) abort();
            if (!question && !l[i].kinds) abort();
            if (l[i].kinds & ~AV_KIND_ALL) abort();
        }
        ms_error_clear(&e);
        if (dims_langs_parse(c, question, &a, &l2, &n2, &c2, &e) || n2 != n || !json_equal(c, c2))
            abort();
        json_decref(c);
        json_decref(c2);
    }
    ms_arena_free(&a);
}

static void check_tag(const char *s)
{
    char out[36], again[36];
    if (!dims_lang_canonical(s, out, sizeof out)) return;
    if (strlen(out) > 35 || strcasecmp(out, s)) abort();
    if (!dims_lang_canonical(out, again, sizeof again) || strcmp(out, again)) abort();
}

static void check_eidr(const char *s)
{
    char canon[35], again[35];
    if (!dims_eidr_valid(s, canon, sizeof canon)) return;
    if (strlen(canon) != 34 || strcasecmp(canon, s)) abort();
    if (!dims_eidr_valid(canon, again, sizeof again) || strcmp(canon, again)) abort();
    char hex[21];
    int k = 0;
    for (const char *p = canon + 8; k < 20; p++)
        if (*p != '-') hex[k++] = *p;
    hex[20] = 0;
    if (dims_eidr_check_char(hex) != canon[33]) abort();
}

static void check_dates(const char *s)
{
    const char *comma = strchr(s, ',');
    char first[64];
    size_t n = comma ? (size_t)(comma - s) : strlen(s);
    if (n >= sizeof first) n = sizeof first - 1;
    memcpy(first, s, n);
    first[n] = 0;
    av_day d;
    if (dims_date_parse(first, &d)) {
        char f[11];
        dims_date_fmt(d, f);
        if (strcmp(f, first)) abort();
    }
    av_day a = 1, b = 2;
    ms_error e;
    ms_error_clear(&e);
    if (dims_term_parse(first, comma ? comma + 1 : NULL, &a, &b, &e) == 0) {
        if (a >= b) abort();
    } else if (a != 1 || b != 2) {
        abort();
    }
}

static void check_media(json_t *j)
{
    dims_media_reg reg;
    dims_media_reg_builtin(&reg);
    reg.codes[reg.n++] = "inflight_vr";
    av_media m = 3, m2;
    json_t *c = NULL, *c2 = NULL;
    ms_error e;
    ms_error_clear(&e);
    if (dims_media_parse(j, &reg, &m, &c, &e)) {
        if (m != 3 || c) abort();
        return;
    }
    if (!m || m >> reg.n) abort();
    if (dims_media_parse(c, &reg, &m2, &c2, &e) || m2 != m || !json_equal(c, c2)) abort();
    json_decref(c);
    json_decref(c2);
}

/* Windows from bytes: 8 bytes each (kind, excl, start, length, territories, media, ref). */
static void check_engine(const uint8_t *d, size_t n)
{
    if (n < 4) return;
    av_query q = {.start = d[0] % 50, .excl = d[1] % 3, .media = (d[2] & 3) ? d[2] & 3 : 1};
    q.end = q.start + 1 + d[3] % 60;
    static const int terr_pick[] = {0, 10, 70, 100, 200, 249};
    for (int i = 0; i < 6; i++)
        if (d[2] >> 2 & 1 << (i % 6)) av_terrs_add(&q.terrs, terr_pick[i]);
    av_terrs_add(&q.terrs, terr_pick[d[1] % 6]);
    av_window w[64];
    int nw = 0;
    for (size_t p = 4; p + 8 <= n && nw < 64; p += 8, nw++) {
        av_window *x = &w[nw];
        memset(x, 0, sizeof *x);
        x->kind = (uint8_t)(1 + d[p] % 3);
        x->pending = d[p] >> 4 & 1;
        x->excl = d[p + 1] % 3;
        x->start = d[p + 2] == 255 ? AV_OPEN_START : (av_day)d[p + 2] % 80 - 10;
        x->end = d[p + 3] == 255 ? AV_OPEN_END : x->start + (av_day)(d[p + 3] % 40);
        if (x->start == AV_OPEN_START && x->end != AV_OPEN_END) x->end = d[p + 3] % 70;
        for (int i = 0; i < 6; i++)
            if (d[p + 4] & 1 << i) av_terrs_add(&x->terrs, terr_pick[i]);
        x->media = d[p + 5] & 3;
        x->ref = d[p + 6];
    }
    ms_arena a;
    ms_arena_init(&a, 1 << 14);
    av_result r;
    if (av_compute(w, nw, &q, &a, &r)) abort();
    for (int m = 0; m < 2; m++) {
        if (!(q.media >> m & 1)) continue;
        av_terrs seen = {0};
        for (int c = 0; c < r.ncells; c++) {
            const av_cell *cell = &r.cells[c];
            if (cell->media != m) continue;
            if (dims_terr_intersects(&seen, &cell->terrs)) abort();
            for (int k = 0; k < AV_NTERR / 64; k++)
                seen.w[k] |= cell->terrs.w[k];
            if (cell->nsegs < 1 || cell->segs[0].start != q.start ||
                cell->segs[cell->nsegs - 1].end != q.end)
                abort();
            for (int s = 0; s < cell->nsegs; s++) {
                const av_segment *g = &cell->segs[s];
                if (g->start >= g->end || g->nreasons > AV_MAX_REASONS) abort();
                if (s && g->start != cell->segs[s - 1].end) abort();
                if (!g->available && g->nreasons == 0) abort();
            }
        }
        if (memcmp(&seen, &q.terrs, sizeof seen)) abort();
        uint8_t st[AV_NTERR];
        av_status_on(w, nw, &q.terrs, m, q.start, q.excl, st, NULL);
    }
    ms_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096) return 0;
    uint8_t mode = data[0] % 7;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    if (mode == 6) {
        check_engine(d, n);
        return 0;
    }
    char *s = malloc(n + 1);
    if (!s) return 0;
    memcpy(s, d, n);
    s[n] = 0;
    if (mode == 0 || mode == 1 || mode == 5) {
        json_error_t je;
        json_t *j = json_loadb((const char *)d, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        if (j) {
            if (mode == 0)
                check_terr(j);
            else if (mode == 1)
                check_langs(j);
            else
                check_media(j);
            json_decref(j);
        }
    } else if (mode == 2) {
        check_tag(s);
    } else if (mode == 3) {
        check_eidr(s);
    } else {
        check_dates(s);
    }
    free(s);
    return 0;
}
