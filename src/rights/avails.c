/* avails.c: the avails engine of avails.h - exact availability windows of one title, with
 * the reason for every gap, by a sweep over window boundaries; and the one-day status of a
 * title in many territories for the avails grid.
 *
 * How (docs/rights-avails-engine.md says it at length): the windows that touch the question
 * are kept once; then for each media and language, the question's territories are split into
 * classes whose relevant windows are the same (partition refinement over territory
 * bitsets), each class's timeline is swept once, and classes whose timelines came out equal
 * are merged into one cell.
 *
 * It deliberately is not a store: no database, no JSON, no locks, no allocation but the
 * caller's arena, no knowledge of deals or titles beyond the `ref` it reports back. */
#include "rights/avails.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define NW (AV_NTERR / 64)

/* What a window is to one (media, language) of a question. */
enum { CAT_IN, CAT_LIC_EX, CAT_LIC_NE, CAT_HOLD, CAT_PENDING };

typedef struct rel {
    av_day s, e; /* clipped to the question */
    const av_terrs *terrs;
    uint32_t ref;
    uint8_t cat;
    uint8_t excl;  /* rights in: its level */
    uint8_t kinds; /* rights in: the kinds it covers of the asked language */
} rel;

typedef struct event {
    av_day day;
    int idx; /* >= 0: rel idx starts; < 0: rel ~idx ends */
} event;

/* ---- Languages. ---- */

/* RFC 4647 basic filtering: `range` matches `tag` when equal, or a prefix of it that ends at
 * a '-', case-insensitively. */
static bool lang_match(const char *range, const char *tag)
{
    size_t i = 0;
    for (; range[i]; i++) {
        char a = range[i], b = tag[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
        if (b >= 'A' && b <= 'Z') b = (char)(b + 32);
        if (a != b) return false;
    }
    return tag[i] == '\0' || tag[i] == '-';
}

/* The kinds of the asked language `q` a right in covers (0: it does not cover it). */
static uint8_t in_kinds(const av_window *w, const av_lang *q)
{
    if (!q || w->nlangs == 0 || !w->langs) return AV_KIND_ALL;
    uint8_t k = 0;
    for (int i = 0; i < w->nlangs; i++)
        if (w->langs[i].tag && lang_match(w->langs[i].tag, q->tag)) k |= w->langs[i].kinds;
    return k;
}

/* Whether a license touches the asked language: a tag matching either way (a license of "fr"
 * takes "fr-CA"; a license of "fr-CA" takes part of what "fr" asks for) and kinds that
 * intersect (a question with no kinds asks for every kind). */
static bool lic_touches(const av_window *w, const av_lang *q)
{
    if (!q || w->nlangs == 0 || !w->langs) return true;
    uint8_t want = q->kinds ? q->kinds : AV_KIND_ALL;
    for (int i = 0; i < w->nlangs; i++) {
        const av_lang *l = &w->langs[i];
        if (l->tag && (l->kinds & want) &&
            (lang_match(l->tag, q->tag) || lang_match(q->tag, l->tag)))
            return true;
    }
    return false;
}

/* ---- Small sorts (the lists are short; no qsort call overhead). ---- */

static void sort_events(event *ev, int n)
{
    if (n > 48) {
        /* merge sort through the upper half of a buffer of 2n */
        event *tmp = ev + n;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = lo + width < n ? lo + width : n;
                int hi = lo + 2 * width < n ? lo + 2 * width : n;
                int a = lo, b = mid, k = lo;
                while (a < mid && b < hi)
                    tmp[k++] = ev[b].day < ev[a].day ? ev[b++] : ev[a++];
                while (a < mid)
                    tmp[k++] = ev[a++];
                while (b < hi)
                    tmp[k++] = ev[b++];
            }
            memcpy(ev, tmp, (size_t)n * sizeof *ev);
        }
        return;
    }
    for (int i = 1; i < n; i++) {
        event x = ev[i];
        int j = i - 1;
        while (j >= 0 && ev[j].day > x.day) {
            ev[j + 1] = ev[j];
            j--;
        }
        ev[j + 1] = x;
    }
}

static inline uint64_t reason_key(av_reason r)
{
    return (uint64_t)r.kind << 32 | r.ref;
}

/* av_reason has padding: compare by key, never with memcmp */
static bool reasons_equal(const av_reason *a, const av_reason *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i].kind != b[i].kind || a[i].ref != b[i].ref) return false;
    return true;
}

static int sort_reasons(av_reason *r, int n)
{
    for (int i = 1; i < n; i++) {
        av_reason x = r[i];
        int j = i - 1;
        while (j >= 0 && reason_key(r[j]) > reason_key(x)) {
            r[j + 1] = r[j];
            j--;
        }
        r[j + 1] = x;
    }
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || reason_key(r[m - 1]) != reason_key(r[i])) r[m++] = r[i];
    return m;
}

/* ---- Territory classes. ---- */

static bool terrs_empty(const av_terrs *s)
{
    uint64_t x = 0;
    for (int i = 0; i < NW; i++)
        x |= s->w[i];
    return x == 0;
}

static int terrs_first(const av_terrs *s)
{
    for (int i = 0; i < NW; i++)
        if (s->w[i]) return i * 64 + __builtin_ctzll(s->w[i]);
    return AV_NTERR;
}

/* Partition refinement: the question's territories split into classes whose relevant windows
 * are the same. Each window costs the territories it has in the question, not the number of
 * classes: the classes it touches are counted, and each one it only partly covers is split. */
typedef struct part {
    av_terrs cls[AV_NTERR];
    int16_t size[AV_NTERR];
    int16_t hit[AV_NTERR];
    uint8_t touched[AV_NTERR];
    uint8_t of[AV_NTERR]; /* the class of each territory */
    int n;
    int start[AV_NTERR + 1]; /* the windows of class c: list[start[c] .. start[c + 1]) */
    int cnt[AV_NTERR];
    int *list;
    int cap;
} part;

static void part_init(part *p, const av_terrs *q)
{
    p->cls[0] = *q;
    p->n = 1;
    memset(p->of, 0, sizeof p->of); /* only the question's territories are ever read */
    int size = 0;
    for (int k = 0; k < NW; k++)
        size += __builtin_popcountll(q->w[k]);
    p->size[0] = (int16_t)size;
    p->hit[0] = 0;
}

static void part_split(part *p, const av_terrs *t, const av_terrs *q)
{
    av_terrs w;
    uint64_t partial = 0;
    for (int k = 0; k < NW; k++) {
        w.w[k] = t->w[k] & q->w[k];
        partial |= q->w[k] & ~t->w[k];
    }
    if (!partial) return; /* covers every asked territory: splits nothing */
    int pop = 0;
    for (int k = 0; k < NW; k++)
        pop += __builtin_popcountll(w.w[k]);
    if (4 * p->n < pop) {
        /* few classes, a big window: split every class with word operations instead; the
         * part split off gets the new id, so `of` is rewritten only for it */
        for (int c = 0, n0 = p->n; c < n0; c++) {
            av_terrs out;
            uint64_t any_in = 0, any_out = 0;
            for (int k = 0; k < NW; k++) {
                out.w[k] = p->cls[c].w[k] & ~w.w[k];
                any_in |= p->cls[c].w[k] & w.w[k];
                any_out |= out.w[k];
            }
            if (!any_in || !any_out) continue;
            int d = p->n++, size = 0;
            for (int k = 0; k < NW; k++) {
                p->cls[d].w[k] = out.w[k];
                p->cls[c].w[k] &= w.w[k];
                for (uint64_t b = out.w[k]; b; b &= b - 1, size++)
                    p->of[k * 64 + __builtin_ctzll(b)] = (uint8_t)d;
            }
            p->size[d] = (int16_t)size;
            p->size[c] = (int16_t)(p->size[c] - size);
            p->hit[d] = 0;
        }
        return;
    }
    int nt = 0;
    for (int k = 0; k < NW; k++)
        for (uint64_t b = w.w[k]; b; b &= b - 1) {
            int c = p->of[k * 64 + __builtin_ctzll(b)];
            if (p->hit[c]++ == 0) p->touched[nt++] = (uint8_t)c;
        }
    for (int i = 0; i < nt; i++) {
        int c = p->touched[i];
        if (p->hit[c] < p->size[c]) {
            int d = p->n++;
            for (int k = 0; k < NW; k++) {
                p->cls[d].w[k] = p->cls[c].w[k] & w.w[k];
                p->cls[c].w[k] &= ~w.w[k];
                for (uint64_t b = p->cls[d].w[k]; b; b &= b - 1)
                    p->of[k * 64 + __builtin_ctzll(b)] = (uint8_t)d;
            }
            p->size[d] = p->hit[c];
            p->size[c] = (int16_t)(p->size[c] - p->hit[c]);
            p->hit[d] = 0;
        }
        p->hit[c] = 0;
    }
}

/* The windows of each class (those holding its first territory), in window order. */
static int part_lists(part *p, const rel *rels, int n, ms_arena *a)
{
    av_terrs reps = {0};
    for (int c = 0; c < p->n; c++) {
        int t = terrs_first(&p->cls[c]);
        av_terrs_add(&reps, t);
        p->cnt[c] = 0;
    }
    int total = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < NW; k++)
            for (uint64_t b = rels[i].terrs->w[k] & reps.w[k]; b; b &= b - 1) {
                p->cnt[p->of[k * 64 + __builtin_ctzll(b)]]++;
                total++;
            }
    if (total > p->cap) {
        int cap = total > 2 * p->cap ? total : 2 * p->cap;
        int *l = ms_arena_alloc(a, (size_t)cap * sizeof *l);
        if (!l) return MS_ENOMEM;
        p->list = l;
        p->cap = cap;
    }
    p->start[0] = 0;
    for (int c = 0; c < p->n; c++) {
        p->start[c + 1] = p->start[c] + p->cnt[c];
        p->cnt[c] = p->start[c];
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < NW; k++)
            for (uint64_t b = rels[i].terrs->w[k] & reps.w[k]; b; b &= b - 1)
                p->list[p->cnt[p->of[k * 64 + __builtin_ctzll(b)]]++] = i;
    return 0;
}

/* ---- One timeline. ---- */

typedef struct sweep {
    const av_query *q;
    uint8_t need; /* the asked language's kinds; 0: any */
    const rel *rels;
    event *ev;        /* 4 * nrel (sort buffer included) */
    int *active;      /* nrel */
    int *pos;         /* nrel: place in active, -1 when not */
    av_reason *cur;   /* nrel + 1: the full reasons of the interval being built */
    av_reason *prev;  /* nrel + 1: the full reasons of the last segment */
    av_segment *segs; /* 2 * nrel + 1 */
    uint64_t hash;
} sweep;

static bool covered(uint8_t mask, uint8_t need)
{
    return need ? (mask & need) == need : mask != 0;
}

/* The reasons of one elementary interval from the active windows; returns their count and
 * whether the interval is available. */
static int interval_state(sweep *sw, int nact, bool *available)
{
    const av_query *q = sw->q;
    uint8_t lvl = 0, any = 0;
    int n = 0;
    bool gap = false;
    for (int i = 0; i < nact; i++) {
        const rel *r = &sw->rels[sw->active[i]];
        switch (r->cat) {
        case CAT_IN:
            any |= r->kinds;
            if (r->excl >= q->excl) lvl |= r->kinds;
            break;
        case CAT_LIC_EX:
            sw->cur[n++] = (av_reason){.kind = AV_GAP_EXCLUSIVE, .ref = r->ref};
            gap = true;
            break;
        case CAT_LIC_NE:
            sw->cur[n++] = (av_reason){.kind = AV_GAP_NON_EXCLUSIVE, .ref = r->ref};
            gap = true;
            break;
        case CAT_HOLD:
            sw->cur[n++] = (av_reason){.kind = AV_GAP_HOLDBACK, .ref = r->ref};
            gap = true;
            break;
        default:
            sw->cur[n++] = (av_reason){.kind = AV_NOTE_PENDING, .ref = r->ref};
            break;
        }
    }
    if (!covered(lvl, sw->need)) {
        gap = true;
        if (covered(any, sw->need)) {
            for (int i = 0; i < nact; i++) {
                const rel *r = &sw->rels[sw->active[i]];
                if (r->cat == CAT_IN && r->excl < q->excl)
                    sw->cur[n++] = (av_reason){.kind = AV_GAP_RIGHTS_LEVEL, .ref = r->ref};
            }
        } else {
            sw->cur[n++] = (av_reason){.kind = AV_GAP_NO_RIGHTS, .ref = 0};
        }
    }
    *available = !gap;
    return sort_reasons(sw->cur, n);
}

static inline uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

/* Sweep the windows `idx[0..n)` over the question; returns the number of segments in
 * sw->segs, and sw->hash. */
static int timeline(sweep *sw, const int *idx, int n)
{
    const av_query *q = sw->q;
    int ne = 0;
    for (int i = 0; i < n; i++) {
        const rel *r = &sw->rels[idx[i]];
        sw->ev[ne++] = (event){.day = r->s, .idx = idx[i]};
        if (r->e < q->end) sw->ev[ne++] = (event){.day = r->e, .idx = ~idx[i]};
    }
    sort_events(sw->ev, ne);
    int nact = 0, nseg = 0, nprev = 0, k = 0;
    av_day cur = q->start;
    uint64_t h = 0;
    while (cur < q->end) {
        for (; k < ne && sw->ev[k].day == cur; k++) {
            int id = sw->ev[k].idx;
            if (id >= 0) {
                sw->pos[id] = nact;
                sw->active[nact++] = id;
            } else {
                id = ~id;
                int p = sw->pos[id], last = sw->active[--nact];
                sw->active[p] = last;
                sw->pos[last] = p;
                sw->pos[id] = -1;
            }
        }
        av_day next = k < ne ? sw->ev[k].day : q->end;
        bool avail;
        int nr = interval_state(sw, nact, &avail);
        av_segment *last = nseg ? &sw->segs[nseg - 1] : NULL;
        if (last && last->available == avail && nr == nprev &&
            reasons_equal(sw->cur, sw->prev, nr)) {
            last->end = next;
        } else {
            av_segment *sg = &sw->segs[nseg++];
            sg->start = cur;
            sg->end = next;
            sg->available = avail;
            sg->nreasons = (uint8_t)(nr < AV_MAX_REASONS ? nr : AV_MAX_REASONS);
            sg->more = (uint16_t)(nr - sg->nreasons < UINT16_MAX ? nr - sg->nreasons : UINT16_MAX);
            memcpy(sg->reasons, sw->cur, sg->nreasons * sizeof *sw->cur);
            av_reason *t = sw->prev;
            sw->prev = sw->cur;
            sw->cur = t;
            nprev = nr;
            /* the hash covers the full reasons, so that timelines differing only beyond the
             * cap still hash apart (equality is then checked on segments and these) */
            h = mix(h, (uint64_t)(uint32_t)cur << 1 | avail);
            for (int i = 0; i < nr; i++)
                h = mix(h, reason_key(sw->prev[i]));
        }
        cur = next;
    }
    for (int i = 0; i < nact; i++)
        sw->pos[sw->active[i]] = -1;
    sw->hash = mix(h, (uint64_t)nseg);
    return nseg;
}

/* ---- av_compute. ---- */

#define MERGE_SLOTS 512 /* > 2 x the most classes (one per territory) */

static bool same_timeline(const av_cell *a, const av_segment *segs, int nsegs)
{
    if (a->nsegs != nsegs) return false;
    for (int i = 0; i < nsegs; i++) {
        const av_segment *x = &a->segs[i], *y = &segs[i];
        if (x->start != y->start || x->end != y->end || x->available != y->available ||
            x->nreasons != y->nreasons || x->more != y->more ||
            !reasons_equal(x->reasons, y->reasons, x->nreasons))
            return false;
    }
    return true;
}

static int cell_cmp(const void *a, const void *b)
{
    int x = terrs_first(&((const av_cell *)a)->terrs),
        y = terrs_first(&((const av_cell *)b)->terrs);
    return (x > y) - (x < y);
}

int av_compute(const av_window *w, int nw, const av_query *q, ms_arena *a, av_result *out)
{
    out->cells = NULL;
    out->ncells = 0;
    if (!q || q->start == AV_OPEN_START || q->end == AV_OPEN_END || q->start >= q->end ||
        q->nlangs < 0 || (q->nlangs > 0 && !q->langs) || nw < 0 || (nw > 0 && !w) ||
        q->excl > AV_EXCLUSIVE)
        return MS_EINVAL;
    for (int i = 0; i < q->nlangs; i++)
        if (!q->langs[i].tag) return MS_EINVAL;
    av_terrs qt = q->terrs;
    if (terrs_empty(&qt) || !q->media) return 0;

    /* the windows that touch the question at all */
    int *touch = ms_arena_alloc(a, (size_t)(nw ? nw : 1) * sizeof *touch);
    if (!touch) return MS_ENOMEM;
    int nt = 0;
    for (int i = 0; i < nw; i++) {
        const av_window *x = &w[i];
        if (x->start >= x->end || x->start >= q->end || x->end <= q->start ||
            !(x->media & q->media) || x->kind < AV_RIGHTS_IN || x->kind > AV_HOLDBACK)
            continue;
        uint64_t hit = 0;
        for (int k = 0; k < NW; k++)
            hit |= x->terrs.w[k] & qt.w[k];
        if (hit) touch[nt++] = i;
    }

    /* scratch, sized for the worst case of every touching window relevant */
    int nr = nt ? nt : 1;
    rel *rels = ms_arena_alloc(a, (size_t)nr * sizeof *rels);
    /* the classes and the merge table live on the stack (~14 KB): zeroing them in the arena
     * would cost more than a small question */
    part parts;
    part *pt = &parts;
    pt->cap = 2 * nr; /* grows in part_lists when classes need more */
    pt->list = ms_arena_alloc(a, (size_t)pt->cap * sizeof *pt->list);
    int table[MERGE_SLOTS]; /* cell index + 1; 0: free */
    memset(table, 0, sizeof table);
    int16_t used[AV_NTERR];
    sweep sw = {
        .q = q,
        .rels = rels,
        .ev = ms_arena_alloc(a, (size_t)nr * 4 * sizeof(event)),
        .active = ms_arena_alloc(a, (size_t)nr * sizeof(int)),
        .pos = ms_arena_alloc(a, (size_t)nr * sizeof(int)),
        .cur = ms_arena_alloc(a, (size_t)(nr + 1) * sizeof(av_reason)),
        .prev = ms_arena_alloc(a, (size_t)(nr + 1) * sizeof(av_reason)),
        .segs = ms_arena_alloc(a, (size_t)(2 * nr + 2) * sizeof(av_segment)),
    };
    if (!rels || !pt->list || !sw.ev || !sw.active || !sw.pos || !sw.cur || !sw.prev || !sw.segs)
        return MS_ENOMEM;
    for (int i = 0; i < nr; i++)
        sw.pos[i] = -1;

    int cap = 16, ncells = 0;
    av_cell *cells = ms_arena_alloc(a, (size_t)cap * sizeof *cells);
    uint64_t *hashes = ms_arena_alloc(a, (size_t)cap * sizeof *hashes);
    if (!cells || !hashes) return MS_ENOMEM;

    int nl = q->nlangs ? q->nlangs : 1;
    for (int m = 0; m < AV_NMEDIA; m++) {
        if (!(q->media >> m & 1)) continue;
        for (int li = 0; li < nl; li++) {
            const av_lang *ql = q->nlangs ? &q->langs[li] : NULL;
            sw.need = ql ? ql->kinds & AV_KIND_ALL : 0;
            /* the windows relevant to this media and language */
            int n = 0;
            for (int t = 0; t < nt; t++) {
                const av_window *x = &w[touch[t]];
                if (!(x->media >> m & 1)) continue;
                rel r = {
                    .s = x->start > q->start ? x->start : q->start,
                    .e = x->end < q->end ? x->end : q->end,
                    .terrs = &x->terrs,
                    .ref = x->ref,
                    .excl = x->excl,
                };
                if (x->kind == AV_RIGHTS_IN) {
                    r.cat = CAT_IN;
                    r.kinds = in_kinds(x, ql);
                    if (!r.kinds) continue;
                } else if (x->kind == AV_LICENSE) {
                    if (!lic_touches(x, ql)) continue;
                    if (x->pending)
                        r.cat = CAT_PENDING;
                    else if (x->excl >= AV_SOLE)
                        r.cat = CAT_LIC_EX;
                    else if (q->excl >= AV_SOLE)
                        r.cat = CAT_LIC_NE;
                    else
                        continue; /* a non-exclusive license does not block this question */
                } else {
                    r.cat = CAT_HOLD;
                }
                rels[n++] = r;
            }
            /* territories whose relevant windows are the same share a timeline */
            part_init(pt, &qt);
            for (int i = 0; i < n; i++)
                part_split(pt, rels[i].terrs, &qt);
            if (part_lists(pt, rels, n, a)) return MS_ENOMEM;
            int first = ncells, nslots = 0;
            for (int c = 0; c < pt->n; c++) {
                int ns = timeline(&sw, pt->list + pt->start[c], pt->start[c + 1] - pt->start[c]);
                /* an equal timeline already made for this media and language: merge */
                unsigned slot = (unsigned)(sw.hash >> 7) & (MERGE_SLOTS - 1);
                int found = -1;
                while (table[slot]) {
                    int j = table[slot] - 1;
                    if (hashes[j] == sw.hash && same_timeline(&cells[j], sw.segs, ns)) {
                        found = j;
                        break;
                    }
                    slot = (slot + 1) & (MERGE_SLOTS - 1);
                }
                if (found >= 0) {
                    for (int i = 0; i < NW; i++)
                        cells[found].terrs.w[i] |= pt->cls[c].w[i];
                    continue;
                }
                if (ncells == cap) {
                    av_cell *nc2 = ms_arena_alloc(a, (size_t)cap * 2 * sizeof *nc2);
                    uint64_t *nh = ms_arena_alloc(a, (size_t)cap * 2 * sizeof *nh);
                    if (!nc2 || !nh) return MS_ENOMEM;
                    memcpy(nc2, cells, (size_t)cap * sizeof *cells);
                    memcpy(nh, hashes, (size_t)cap * sizeof *hashes);
                    cells = nc2;
                    hashes = nh;
                    cap *= 2;
                }
                av_segment *segs = ms_arena_alloc(a, (size_t)ns * sizeof *segs);
                if (!segs) return MS_ENOMEM;
                memcpy(segs, sw.segs, (size_t)ns * sizeof *segs);
                cells[ncells] = (av_cell){.terrs = pt->cls[c],
                                          .media = m,
                                          .lang = ql ? li : -1,
                                          .segs = segs,
                                          .nsegs = ns};
                hashes[ncells++] = sw.hash;
                table[slot] = ncells;
                used[nslots++] = (int16_t)slot;
            }
            for (int i = 0; i < nslots; i++)
                table[used[i]] = 0;
            if (ncells - first > 1)
                qsort(cells + first, (size_t)(ncells - first), sizeof *cells, cell_cmp);
        }
    }
    out->cells = cells;
    out->ncells = ncells;
    return 0;
}

/* ---- av_status_on. ---- */

void av_status_on(const av_window *w, int nw, const av_terrs *terrs, int media, av_day day,
                  uint8_t excl, uint8_t *status, uint32_t *ref)
{
    if (media < 0 || media >= AV_NMEDIA) return;
    av_media mb = 1ULL << media;
    /* per territory bit: rights in at the level wanted, at any level, and the blocks */
    uint64_t lvl[NW] = {0}, any[NW] = {0}, ex[NW] = {0}, ne[NW] = {0}, hb[NW] = {0};
    uint32_t r_low[AV_NTERR], r_ex[AV_NTERR], r_ne[AV_NTERR], r_hb[AV_NTERR];
    for (int i = 0; i < nw; i++) {
        const av_window *x = &w[i];
        if (!(x->media & mb) || day < x->start || day >= x->end) continue;
        uint64_t *set;
        uint32_t *refs;
        switch (x->kind) {
        case AV_RIGHTS_IN:
            if (x->excl >= excl) {
                for (int k = 0; k < NW; k++)
                    lvl[k] |= x->terrs.w[k];
                set = any, refs = NULL;
            } else {
                set = any, refs = r_low;
            }
            break;
        case AV_LICENSE:
            if (x->pending) continue;
            if (x->excl >= AV_SOLE)
                set = ex, refs = r_ex;
            else if (excl >= AV_SOLE)
                set = ne, refs = r_ne;
            else
                continue;
            break;
        case AV_HOLDBACK:
            set = hb, refs = r_hb;
            break;
        default:
            continue;
        }
        for (int k = 0; k < NW; k++) {
            uint64_t fresh = x->terrs.w[k] & terrs->w[k] & ~set[k];
            set[k] |= x->terrs.w[k];
            if (ref && refs)
                for (; fresh; fresh &= fresh - 1)
                    refs[k * 64 + __builtin_ctzll(fresh)] = x->ref;
        }
    }
    /* the first reason in av_reason_kind order wins: no rights, level, exclusive,
     * non-exclusive, holdback */
    for (int k = 0; k < NW; k++) {
        uint64_t want = terrs->w[k];
        if (!want) continue;
        uint64_t no = want & ~any[k];
        uint64_t low = want & any[k] & ~lvl[k];
        uint64_t rest = want & lvl[k];
        uint64_t x = rest & ex[k];
        uint64_t e = rest & ~ex[k] & ne[k];
        uint64_t h = rest & ~ex[k] & ~ne[k] & hb[k];
        uint64_t ok = rest & ~ex[k] & ~ne[k] & ~hb[k];
        for (uint64_t b = ok; b; b &= b - 1)
            status[k * 64 + __builtin_ctzll(b)] = AV_CELL_AVAILABLE;
        for (uint64_t b = no; b; b &= b - 1) {
            int t = k * 64 + __builtin_ctzll(b);
            status[t] = AV_CELL_NO_RIGHTS;
            if (ref) ref[t] = 0;
        }
        for (uint64_t b = low; b; b &= b - 1) {
            int t = k * 64 + __builtin_ctzll(b);
            status[t] = AV_CELL_RIGHTS_LEVEL;
            if (ref) ref[t] = r_low[t];
        }
        for (uint64_t b = x; b; b &= b - 1) {
            int t = k * 64 + __builtin_ctzll(b);
            status[t] = AV_CELL_EXCLUSIVE;
            if (ref) ref[t] = r_ex[t];
        }
        for (uint64_t b = e; b; b &= b - 1) {
            int t = k * 64 + __builtin_ctzll(b);
            status[t] = AV_CELL_NON_EXCLUSIVE;
            if (ref) ref[t] = r_ne[t];
        }
        for (uint64_t b = h; b; b &= b - 1) {
            int t = k * 64 + __builtin_ctzll(b);
            status[t] = AV_CELL_HOLDBACK;
            if (ref) ref[t] = r_hb[t];
        }
    }
}
