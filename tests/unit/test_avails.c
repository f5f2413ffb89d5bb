/* test_avails.c: unit tests of src/rights/avails: the interval algebra of every kind of edge
 * (exclusive, sole, non-exclusive, holdback; adjacent days, touching, overlapping, containing,
 * identical, open-ended, outside the question), rights level, pending licenses, language
 * matching and kinds, territory groups with exclusions, merged territory cells, the reason
 * cap, av_status_on, and a brute-force cross-check of av_compute against a per-day reference
 * written here from the rules of avails.h (not from avails.c).
 *
 * Days are small numbers: the engine does not care where day 0 is. Timelines are compared as
 * text: "0-10 A; 10-20 X5 H7" is [0,10) available, then [10,20) blocked by exclusive license 5
 * and holdback 7 (N no rights, L rights level, X exclusive, E non-exclusive, H holdback,
 * P pending, +n more). */
#include "unit.h"

#include "core/arena.h"
#include "rights/avails.h"
#include "rights/dims.h"

#include <time.h>

enum { SVOD = 4, AVOD = 5, TVOD = 6 };
#define M(x) (1ULL << (x))

static av_terrs T(const char *codes)
{
    av_terrs s = {0};
    char buf[256];
    snprintf(buf, sizeof buf, "%s", codes);
    for (char *save = NULL, *c = strtok_r(buf, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
        av_terrs g;
        if (dims_terr_group(c, &g)) {
            for (int k = 0; k < AV_NTERR / 64; k++)
                s.w[k] |= g.w[k];
            continue;
        }
        int i = dims_terr_index(c);
        if (i < 0) fail_msg("bad code %s", c);
        av_terrs_add(&s, i);
    }
    return s;
}

static av_window IN(av_day s, av_day e, const char *terrs, av_media m, int excl, uint32_t ref)
{
    return (av_window){.start = s,
                       .end = e,
                       .terrs = T(terrs),
                       .media = m,
                       .kind = AV_RIGHTS_IN,
                       .excl = (uint8_t)excl,
                       .ref = ref};
}
static av_window LIC(av_day s, av_day e, const char *terrs, av_media m, int excl, uint32_t ref)
{
    return (av_window){.start = s,
                       .end = e,
                       .terrs = T(terrs),
                       .media = m,
                       .kind = AV_LICENSE,
                       .excl = (uint8_t)excl,
                       .ref = ref};
}
static av_window HB(av_day s, av_day e, const char *terrs, av_media m, uint32_t ref)
{
    return (av_window){
        .start = s, .end = e, .terrs = T(terrs), .media = m, .kind = AV_HOLDBACK, .ref = ref};
}

static av_query Q(av_day s, av_day e, const char *terrs, av_media m, int excl)
{
    return (av_query){.start = s, .end = e, .terrs = T(terrs), .media = m, .excl = (uint8_t)excl};
}

static ms_arena arena;

static av_result run(const av_window *w, int nw, const av_query *q)
{
    av_result r;
    ms_arena_reset(&arena);
    int rc = av_compute(w, nw, q, &arena, &r);
    if (rc) fail_msg("av_compute: %d", rc);
    return r;
}

static const av_cell *cell_of(const av_result *r, const char *code, int media, int lang)
{
    int t = dims_terr_index(code);
    const av_cell *found = NULL;
    for (int i = 0; i < r->ncells; i++)
        if (r->cells[i].media == media && r->cells[i].lang == lang &&
            av_terrs_has(&r->cells[i].terrs, t)) {
            if (found) fail_msg("%s in two cells", code);
            found = &r->cells[i];
        }
    if (!found) fail_msg("%s in no cell", code);
    return found;
}

static const char *fmt_cell(const av_cell *c)
{
    static char buf[4096];
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < c->nsegs; i++) {
        const av_segment *s = &c->segs[i];
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d-%d %s", i ? "; " : "", s->start,
                              s->end, s->available ? "A" : "");
        for (int k = 0; k < s->nreasons; k++) {
            static const char letters[] = "?NLXEHP";
            const av_reason *r = &s->reasons[k];
            if (r->kind == AV_GAP_NO_RIGHTS)
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%sN", s->available || k ? " " : "");
            else
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%c%u",
                                      s->available || k ? " " : "", letters[r->kind], r->ref);
        }
        if (s->more) n += (size_t)snprintf(buf + n, sizeof buf - n, " +%d", s->more);
    }
    return buf;
}

#define TL(r, code, media, expect)                                                                 \
    assert_string_equal(fmt_cell(cell_of(&(r), code, media, -1)), expect)

/* ---- The edges. ---- */

static void test_bad_question(void **state)
{
    (void)state;
    av_window w = IN(0, 10, "FR", M(SVOD), AV_EXCLUSIVE, 1);
    av_result r;
    av_query q = Q(10, 10, "FR", M(SVOD), 0);
    assert_int_equal(av_compute(&w, 1, &q, &arena, &r), MS_EINVAL);
    q = Q(10, 5, "FR", M(SVOD), 0);
    assert_int_equal(av_compute(&w, 1, &q, &arena, &r), MS_EINVAL);
    q = Q(AV_OPEN_START, 5, "FR", M(SVOD), 0);
    assert_int_equal(av_compute(&w, 1, &q, &arena, &r), MS_EINVAL);
    q = Q(0, AV_OPEN_END, "FR", M(SVOD), 0);
    assert_int_equal(av_compute(&w, 1, &q, &arena, &r), MS_EINVAL);
    q = Q(0, 5, "FR", M(SVOD), 3);
    assert_int_equal(av_compute(&w, 1, &q, &arena, &r), MS_EINVAL);
    q = Q(0, 5, "FR", M(SVOD), 0);
    q.nlangs = 1;
    assert_int_equal(av_compute(&w, 1, &q, &arena, &r), MS_EINVAL);
    /* an empty territory or media set is no cell, not an error */
    q = Q(0, 5, "FR", 0, 0);
    assert_int_equal(av_compute(&w, 1, &q, &arena, &r), 0);
    assert_int_equal(r.ncells, 0);
    /* no windows at all: no rights anywhere */
    q = Q(0, 5, "FR", M(SVOD), 0);
    r = run(NULL, 0, &q);
    assert_int_equal(r.ncells, 1);
    TL(r, "FR", SVOD, "0-5 N");
}

static void test_rights_in_bound(void **state)
{
    (void)state;
    av_window w[] = {IN(10, 20, "FR", M(SVOD), AV_EXCLUSIVE, 1),
                     IN(20, 30, "FR", M(SVOD), AV_EXCLUSIVE, 2), /* touching: one window */
                     IN(31, 40, "FR", M(SVOD), AV_EXCLUSIVE, 3), /* a one-day hole at 30 */
                     IN(35, AV_OPEN_END, "FR", M(SVOD), AV_EXCLUSIVE, 4)};
    av_query q = Q(0, 100, "FR", M(SVOD), AV_NON_EXCLUSIVE);
    av_result r = run(w, 4, &q);
    TL(r, "FR", SVOD, "0-10 N; 10-30 A; 30-31 N; 31-100 A");
    /* another medium has no rights at all */
    q.media = M(SVOD) | M(AVOD);
    r = run(w, 4, &q);
    assert_int_equal(r.ncells, 2);
    TL(r, "FR", AVOD, "0-100 N");
    assert_int_equal(r.cells[0].media, SVOD); /* ordered by media */
    /* open start */
    av_window o = IN(AV_OPEN_START, 50, "FR", M(SVOD), AV_EXCLUSIVE, 1);
    q = Q(0, 100, "FR", M(SVOD), AV_EXCLUSIVE);
    r = run(&o, 1, &q);
    TL(r, "FR", SVOD, "0-50 A; 50-100 N");
    /* windows wholly outside the question change nothing */
    av_window out[] = {
        IN(0, 100, "FR", M(SVOD), AV_EXCLUSIVE, 1), LIC(100, 200, "FR", M(SVOD), AV_EXCLUSIVE, 2),
        LIC(-50, 0, "FR", M(SVOD), AV_EXCLUSIVE, 3), HB(AV_OPEN_START, 0, "FR", M(SVOD), 4)};
    r = run(out, 4, &q);
    TL(r, "FR", SVOD, "0-100 A");
}

static void test_license_edges(void **state)
{
    (void)state;
    av_window in = IN(AV_OPEN_START, AV_OPEN_END, "FR", M(SVOD), AV_EXCLUSIVE, 1);
    struct {
        av_window lic[2];
        int n;
        int excl; /* asked */
        const char *want;
    } cases[] = {
        /* one exclusive license: blocks every question */
        {{LIC(10, 20, "FR", M(SVOD), AV_EXCLUSIVE, 5)},
         1,
         AV_NON_EXCLUSIVE,
         "0-10 A; 10-20 X5; 20-100 A"},
        {{LIC(10, 20, "FR", M(SVOD), AV_EXCLUSIVE, 5)},
         1,
         AV_EXCLUSIVE,
         "0-10 A; 10-20 X5; 20-100 A"},
        {{LIC(10, 20, "FR", M(SVOD), AV_SOLE, 5)},
         1,
         AV_NON_EXCLUSIVE,
         "0-10 A; 10-20 X5; 20-100 A"},
        {{LIC(10, 20, "FR", M(SVOD), AV_SOLE, 5)}, 1, AV_SOLE, "0-10 A; 10-20 X5; 20-100 A"},
        /* non-exclusive: blocks only sole and exclusive questions */
        {{LIC(10, 20, "FR", M(SVOD), AV_NON_EXCLUSIVE, 5)}, 1, AV_NON_EXCLUSIVE, "0-100 A"},
        {{LIC(10, 20, "FR", M(SVOD), AV_NON_EXCLUSIVE, 5)},
         1,
         AV_SOLE,
         "0-10 A; 10-20 E5; 20-100 A"},
        {{LIC(10, 20, "FR", M(SVOD), AV_NON_EXCLUSIVE, 5)},
         1,
         AV_EXCLUSIVE,
         "0-10 A; 10-20 E5; 20-100 A"},
        /* adjacent days: [10,20) and [20,30) - no gap between, two reasons side by side */
        {{LIC(10, 20, "FR", M(SVOD), AV_EXCLUSIVE, 5), LIC(20, 30, "FR", M(SVOD), AV_EXCLUSIVE, 6)},
         2,
         AV_NON_EXCLUSIVE,
         "0-10 A; 10-20 X5; 20-30 X6; 30-100 A"},
        /* a one-day hole between two */
        {{LIC(10, 20, "FR", M(SVOD), AV_EXCLUSIVE, 5), LIC(21, 30, "FR", M(SVOD), AV_EXCLUSIVE, 6)},
         2,
         AV_NON_EXCLUSIVE,
         "0-10 A; 10-20 X5; 20-21 A; 21-30 X6; 30-100 A"},
        /* overlapping */
        {{LIC(10, 25, "FR", M(SVOD), AV_EXCLUSIVE, 5),
          LIC(20, 30, "FR", M(SVOD), AV_NON_EXCLUSIVE, 6)},
         2,
         AV_EXCLUSIVE,
         "0-10 A; 10-20 X5; 20-25 X5 E6; 25-30 E6; 30-100 A"},
        {{LIC(10, 25, "FR", M(SVOD), AV_EXCLUSIVE, 5),
          LIC(20, 30, "FR", M(SVOD), AV_NON_EXCLUSIVE, 6)},
         2,
         AV_NON_EXCLUSIVE,
         "0-10 A; 10-25 X5; 25-100 A"},
        /* containing */
        {{LIC(10, 40, "FR", M(SVOD), AV_SOLE, 5), LIC(20, 30, "FR", M(SVOD), AV_EXCLUSIVE, 6)},
         2,
         AV_NON_EXCLUSIVE,
         "0-10 A; 10-20 X5; 20-30 X5 X6; 30-40 X5; 40-100 A"},
        /* identical windows: one segment, both reasons, sorted by ref */
        {{LIC(10, 20, "FR", M(SVOD), AV_EXCLUSIVE, 9), LIC(10, 20, "FR", M(SVOD), AV_EXCLUSIVE, 5)},
         2,
         AV_NON_EXCLUSIVE,
         "0-10 A; 10-20 X5 X9; 20-100 A"},
        /* the same row twice (same ref): deduplicated */
        {{LIC(10, 20, "FR", M(SVOD), AV_EXCLUSIVE, 5), LIC(15, 25, "FR", M(SVOD), AV_EXCLUSIVE, 5)},
         2,
         AV_NON_EXCLUSIVE,
         "0-10 A; 10-25 X5; 25-100 A"},
        /* open-ended terms */
        {{LIC(50, AV_OPEN_END, "FR", M(SVOD), AV_EXCLUSIVE, 5)},
         1,
         AV_NON_EXCLUSIVE,
         "0-50 A; 50-100 X5"},
        {{LIC(AV_OPEN_START, 50, "FR", M(SVOD), AV_EXCLUSIVE, 5)},
         1,
         AV_NON_EXCLUSIVE,
         "0-50 X5; 50-100 A"},
        {{LIC(AV_OPEN_START, AV_OPEN_END, "FR", M(SVOD), AV_EXCLUSIVE, 5)},
         1,
         AV_NON_EXCLUSIVE,
         "0-100 X5"},
        /* one-day windows at both edges of the question */
        {{LIC(0, 1, "FR", M(SVOD), AV_EXCLUSIVE, 5), LIC(99, 100, "FR", M(SVOD), AV_EXCLUSIVE, 6)},
         2,
         AV_NON_EXCLUSIVE,
         "0-1 X5; 1-99 A; 99-100 X6"},
        /* holdbacks: whatever the exclusivity wanted */
        {{HB(10, 20, "FR", M(SVOD), 7)}, 1, AV_NON_EXCLUSIVE, "0-10 A; 10-20 H7; 20-100 A"},
        {{HB(10, 20, "FR", M(SVOD), 7)}, 1, AV_EXCLUSIVE, "0-10 A; 10-20 H7; 20-100 A"},
        {{HB(AV_OPEN_START, 30, "FR", M(SVOD), 7), LIC(20, 40, "FR", M(SVOD), AV_EXCLUSIVE, 5)},
         2,
         AV_NON_EXCLUSIVE,
         "0-20 H7; 20-30 X5 H7; 30-40 X5; 40-100 A"},
        {{HB(10, 20, "FR", M(SVOD), 7), LIC(20, 30, "FR", M(SVOD), AV_NON_EXCLUSIVE, 5)},
         2,
         AV_SOLE,
         "0-10 A; 10-20 H7; 20-30 E5; 30-100 A"},
        /* other territory, other media: nothing */
        {{LIC(10, 20, "DE", M(SVOD), AV_EXCLUSIVE, 5), HB(10, 20, "FR", M(AVOD), 7)},
         2,
         AV_EXCLUSIVE,
         "0-100 A"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        av_window w[3] = {in, cases[i].lic[0], cases[i].lic[1]};
        av_query q = Q(0, 100, "FR", M(SVOD), cases[i].excl);
        av_result r = run(w, 1 + cases[i].n, &q);
        const char *got = fmt_cell(cell_of(&r, "FR", SVOD, -1));
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
        /* the grid's one-day status agrees with the timeline on every day */
        for (av_day d = 0; d < 100; d++) {
            uint8_t st[AV_NTERR];
            uint32_t ref[AV_NTERR];
            av_terrs fr = T("FR");
            int t = dims_terr_index("FR");
            av_status_on(w, 1 + cases[i].n, &fr, SVOD, d, (uint8_t)cases[i].excl, st, ref);
            const av_cell *c = cell_of(&r, "FR", SVOD, -1);
            const av_segment *s = c->segs;
            while (!(s->start <= d && d < s->end))
                s++;
            uint8_t want = AV_CELL_AVAILABLE;
            uint32_t wref = 0;
            for (int k = s->nreasons - 1; k >= 0; k--)
                if (s->reasons[k].kind != AV_NOTE_PENDING) {
                    want = s->reasons[k].kind; /* AV_CELL_* follow av_reason_kind */
                    wref = s->reasons[k].ref;
                }
            if (st[t] != want) fail_msg("case %zu day %d: status %d want %d", i, d, st[t], want);
            if (want != AV_CELL_AVAILABLE && want != AV_CELL_NO_RIGHTS) {
                bool ok = false;
                for (int k = 0; k < s->nreasons; k++)
                    ok |= s->reasons[k].kind == want && s->reasons[k].ref == ref[t];
                if (!ok) fail_msg("case %zu day %d: ref %u", i, d, ref[t]);
            }
            (void)wref;
        }
    }
}

static void test_rights_level(void **state)
{
    (void)state;
    av_window w[] = {IN(0, 30, "FR", M(SVOD), AV_NON_EXCLUSIVE, 1),
                     IN(30, 60, "FR", M(SVOD), AV_SOLE, 2),
                     IN(60, 90, "FR", M(SVOD), AV_EXCLUSIVE, 3)};
    av_query q = Q(0, 100, "FR", M(SVOD), AV_NON_EXCLUSIVE);
    av_result r = run(w, 3, &q);
    TL(r, "FR", SVOD, "0-90 A; 90-100 N");
    q.excl = AV_SOLE;
    r = run(w, 3, &q);
    TL(r, "FR", SVOD, "0-30 L1; 30-90 A; 90-100 N");
    q.excl = AV_EXCLUSIVE;
    r = run(w, 3, &q);
    TL(r, "FR", SVOD, "0-30 L1; 30-60 L2; 60-90 A; 90-100 N");
    /* a higher right in over a lower one: the higher one counts */
    av_window both[] = {IN(0, 100, "FR", M(SVOD), AV_NON_EXCLUSIVE, 1),
                        IN(40, 50, "FR", M(SVOD), AV_EXCLUSIVE, 2)};
    r = run(both, 2, &q);
    TL(r, "FR", SVOD, "0-40 L1; 40-50 A; 50-100 L1");
    /* level gap and a license together: both reasons */
    av_window lic[] = {IN(0, 100, "FR", M(SVOD), AV_NON_EXCLUSIVE, 1),
                       LIC(10, 20, "FR", M(SVOD), AV_NON_EXCLUSIVE, 4)};
    r = run(lic, 2, &q);
    TL(r, "FR", SVOD, "0-10 L1; 10-20 L1 E4; 20-100 L1");
}

static void test_pending(void **state)
{
    (void)state;
    av_window w[] = {IN(0, 100, "FR", M(SVOD), AV_EXCLUSIVE, 1),
                     LIC(10, 20, "FR", M(SVOD), AV_EXCLUSIVE, 5),
                     LIC(15, 40, "FR", M(SVOD), AV_EXCLUSIVE, 6),
                     LIC(30, 50, "FR", M(SVOD), AV_NON_EXCLUSIVE, 7)};
    w[2].pending = 1;
    w[3].pending = 1;
    av_query q = Q(0, 100, "FR", M(SVOD), AV_EXCLUSIVE);
    av_result r = run(w, 4, &q);
    /* pending ones block nothing and are noted where they overlap, available or not */
    TL(r, "FR", SVOD,
       "0-10 A; 10-15 X5; 15-20 X5 P6; 20-30 A P6; 30-40 A P6 P7; 40-50 A P7; 50-100 A");
    q.excl = AV_NON_EXCLUSIVE;
    r = run(w, 4, &q);
    TL(r, "FR", SVOD,
       "0-10 A; 10-15 X5; 15-20 X5 P6; 20-30 A P6; 30-40 A P6 P7; 40-50 A P7; 50-100 A");
    /* av_status_on ignores pending licenses */
    uint8_t st[AV_NTERR];
    av_terrs fr = T("FR");
    av_status_on(w, 4, &fr, SVOD, 35, AV_EXCLUSIVE, st, NULL);
    assert_int_equal(st[dims_terr_index("FR")], AV_CELL_AVAILABLE);
}

static av_lang LG(const char *tag, int kinds)
{
    return (av_lang){.tag = tag, .kinds = (uint8_t)kinds};
}

static void test_languages(void **state)
{
    (void)state;
    static const av_lang in_fr[] = {{"fr", AV_KIND_DUBBED | AV_KIND_SUBTITLED}};
    static const av_lang in_en[] = {{"en", AV_KIND_ALL}};
    static const av_lang lic_frca[] = {{"fr-CA", AV_KIND_DUBBED}};
    static const av_lang lic_fr_sub[] = {{"FR", AV_KIND_SUBTITLED}};
    av_window w[] = {IN(0, 100, "CA", M(SVOD), AV_EXCLUSIVE, 1),
                     IN(0, 100, "CA", M(SVOD), AV_EXCLUSIVE, 2),
                     LIC(10, 20, "CA", M(SVOD), AV_EXCLUSIVE, 3),
                     LIC(30, 40, "CA", M(SVOD), AV_EXCLUSIVE, 4), HB(50, 60, "CA", M(SVOD), 5)};
    w[0].langs = in_fr, w[0].nlangs = 1;
    w[1].langs = in_en, w[1].nlangs = 1;
    w[2].langs = lic_frca, w[2].nlangs = 1;
    w[3].langs = lic_fr_sub, w[3].nlangs = 1;
    av_lang ql[] = {LG("fr-CA", AV_KIND_DUBBED),
                    LG("fr", 0),
                    LG("fr", AV_KIND_ORIGINAL),
                    LG("de", 0),
                    LG("en", AV_KIND_ORIGINAL | AV_KIND_DUBBED),
                    LG("fr-ca", AV_KIND_SUBTITLED),
                    LG("fra", 0)};
    av_query q = Q(0, 100, "CA", M(SVOD), AV_NON_EXCLUSIVE);
    q.langs = ql;
    q.nlangs = 7;
    av_result r = run(w, 5, &q);
    assert_int_equal(r.ncells, 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal(r.cells[i].lang, i); /* question order */
    /* fr-CA dubbed: the right in "fr" covers it (basic filtering), license 3 (fr-CA dubbed) and
     * license 4 ("FR", case-insensitive, subtitled: kinds do not intersect) */
    assert_string_equal(fmt_cell(cell_of(&r, "CA", SVOD, 0)),
                        "0-10 A; 10-20 X3; 20-50 A; 50-60 H5; 60-100 A");
    /* fr, any kind: covered (dubbed is enough); license "fr-CA" takes part of it, "fr" subtitled
     * too */
    assert_string_equal(fmt_cell(cell_of(&r, "CA", SVOD, 1)),
                        "0-10 A; 10-20 X3; 20-30 A; 30-40 X4; 40-50 A; 50-60 H5; 60-100 A");
    /* fr original: no right in has that kind - and neither license's kinds touch it */
    assert_string_equal(fmt_cell(cell_of(&r, "CA", SVOD, 2)), "0-50 N; 50-60 N H5; 60-100 N");
    /* de: no rights; holdbacks ignore languages */
    assert_string_equal(fmt_cell(cell_of(&r, "CA", SVOD, 3)), "0-50 N; 50-60 N H5; 60-100 N");
    /* en original + dubbed: right in 2 has all kinds */
    assert_string_equal(fmt_cell(cell_of(&r, "CA", SVOD, 4)), "0-50 A; 50-60 H5; 60-100 A");
    /* fr-ca subtitled (any case): license 4 ("fr" subtitled) blocks it, license 3 does not */
    assert_string_equal(fmt_cell(cell_of(&r, "CA", SVOD, 5)),
                        "0-30 A; 30-40 X4; 40-50 A; 50-60 H5; 60-100 A");
    /* "fra" is not "fr" (basic filtering matches whole subtags) */
    assert_string_equal(fmt_cell(cell_of(&r, "CA", SVOD, 6)), "0-50 N; 50-60 N H5; 60-100 N");
    /* two rights in together give two kinds */
    static const av_lang d[] = {{"fr", AV_KIND_DUBBED}}, s[] = {{"fr", AV_KIND_SUBTITLED}};
    av_window two[] = {IN(0, 60, "FR", M(SVOD), AV_EXCLUSIVE, 1),
                       IN(40, 100, "FR", M(SVOD), AV_EXCLUSIVE, 2)};
    two[0].langs = d, two[0].nlangs = 1;
    two[1].langs = s, two[1].nlangs = 1;
    av_lang both = LG("fr", AV_KIND_DUBBED | AV_KIND_SUBTITLED);
    q = Q(0, 100, "FR", M(SVOD), AV_NON_EXCLUSIVE);
    q.langs = &both;
    q.nlangs = 1;
    r = run(two, 2, &q);
    assert_string_equal(fmt_cell(cell_of(&r, "FR", SVOD, 0)), "0-40 N; 40-60 A; 60-100 N");
    /* without languages in the question, languages are no dimension: every right in counts and
     * every license blocks */
    q = Q(0, 100, "CA", M(SVOD), AV_NON_EXCLUSIVE);
    r = run(w, 5, &q);
    TL(r, "CA", SVOD, "0-10 A; 10-20 X3; 20-30 A; 30-40 X4; 40-50 A; 50-60 H5; 60-100 A");
    /* a right in without languages covers every language */
    av_window all = IN(0, 100, "FR", M(SVOD), AV_EXCLUSIVE, 1);
    av_lang xx = LG("ja", AV_KIND_ALL);
    q = Q(0, 100, "FR", M(SVOD), AV_EXCLUSIVE);
    q.langs = &xx;
    q.nlangs = 1;
    r = run(&all, 1, &q);
    assert_string_equal(fmt_cell(cell_of(&r, "FR", SVOD, 0)), "0-100 A");
}

static void test_territories(void **state)
{
    (void)state;
    av_terrs world;
    assert_true(dims_terr_group("WORLD", &world));
    av_terrs gc;
    assert_true(dims_terr_group("GREATER_CHINA", &gc));
    av_window w[] = {IN(0, 100, "", M(SVOD), AV_EXCLUSIVE, 1),
                     LIC(10, 20, "DACH", M(SVOD), AV_EXCLUSIVE, 2), /* groups expand */
                     LIC(30, 40, "FR", M(SVOD), AV_EXCLUSIVE, 3), HB(0, 50, "DE", M(SVOD), 4)};
    /* rights in: the world except greater China */
    w[0].terrs = world;
    for (int i = 0; i < 4; i++)
        w[0].terrs.w[i] &= ~gc.w[i];
    av_query q = Q(0, 100, "", M(SVOD), AV_NON_EXCLUSIVE);
    q.terrs = world;
    av_result r = run(w, 4, &q);
    /* cells: China's four, the rest of the world, AT+CH, DE, FR */
    assert_int_equal(r.ncells, 5);
    TL(r, "CN", SVOD, "0-100 N");
    TL(r, "TW", SVOD, "0-100 N");
    TL(r, "AT", SVOD, "0-10 A; 10-20 X2; 20-100 A");
    TL(r, "DE", SVOD, "0-10 H4; 10-20 X2 H4; 20-50 H4; 50-100 A");
    TL(r, "FR", SVOD, "0-30 A; 30-40 X3; 40-100 A");
    TL(r, "US", SVOD, "0-100 A");
    assert_true(cell_of(&r, "CN", SVOD, -1) == cell_of(&r, "HK", SVOD, -1));
    assert_true(cell_of(&r, "AT", SVOD, -1) == cell_of(&r, "CH", SVOD, -1));
    assert_true(cell_of(&r, "US", SVOD, -1) == cell_of(&r, "BR", SVOD, -1));
    assert_int_equal(dims_terr_popcount(&cell_of(&r, "US", SVOD, -1)->terrs), 250 - 4 - 4);
    /* ordered by lowest territory index: AD (rest of world) < AT < CN < DE < FR */
    for (int i = 1; i < r.ncells; i++) {
        int a = 0, b = 0;
        while (!av_terrs_has(&r.cells[i - 1].terrs, a))
            a++;
        while (!av_terrs_has(&r.cells[i].terrs, b))
            b++;
        assert_true(a < b);
    }
    /* different rights in rows with the same effect: one merged cell */
    av_window m[] = {
        IN(0, 100, "FR", M(SVOD), AV_EXCLUSIVE, 1), IN(0, 100, "DE", M(SVOD), AV_EXCLUSIVE, 2),
        IN(0, 50, "IT", M(SVOD), AV_EXCLUSIVE, 3), IN(50, 100, "IT", M(SVOD), AV_EXCLUSIVE, 4)};
    q = Q(0, 100, "FR DE IT ES", M(SVOD), AV_NON_EXCLUSIVE);
    r = run(m, 4, &q);
    assert_int_equal(r.ncells, 2);
    TL(r, "FR", SVOD, "0-100 A");
    assert_true(cell_of(&r, "FR", SVOD, -1) == cell_of(&r, "IT", SVOD, -1));
    assert_int_equal(dims_terr_popcount(&cell_of(&r, "DE", SVOD, -1)->terrs), 3);
    TL(r, "ES", SVOD, "0-100 N");
    /* a group with exclusions in the question itself: only what is left gets cells */
    json_error_t je;
    json_t *expr = json_loads("{\"include\":[\"EUROPE\"],\"exclude\":[\"DACH\",\"FR\"]}", 0, &je);
    ms_error e;
    assert_int_equal(dims_terr_parse(expr, &q.terrs, NULL, &e), 0);
    json_decref(expr);
    r = run(w, 4, &q);
    int total = 0;
    for (int i = 0; i < r.ncells; i++) {
        total += dims_terr_popcount(&r.cells[i].terrs);
        assert_false(av_terrs_has(&r.cells[i].terrs, dims_terr_index("DE")));
        assert_false(av_terrs_has(&r.cells[i].terrs, dims_terr_index("FR")));
    }
    assert_int_equal(total, dims_terr_popcount(&q.terrs));
    assert_int_equal(r.ncells, 1);
    TL(r, "GB", SVOD, "0-100 A");
}

static void test_reason_cap(void **state)
{
    (void)state;
    av_window w[14];
    w[0] = IN(0, 100, "FR", M(SVOD), AV_EXCLUSIVE, 1);
    for (int i = 1; i < 14; i++)
        w[i] = LIC(10, 20 + (i > 10), "FR", M(SVOD), AV_EXCLUSIVE, (uint32_t)(100 - i));
    av_query q = Q(0, 100, "FR", M(SVOD), AV_NON_EXCLUSIVE);
    av_result r = run(w, 14, &q);
    /* 13 licenses on [10,20): the 8 lowest refs, 5 more; three go on to day 21 */
    TL(r, "FR", SVOD,
       "0-10 A; 10-20 X87 X88 X89 X90 X91 X92 X93 X94 +5; 20-21 X87 X88 X89; 21-100 A");
    /* segments that differ only beyond the cap stay apart */
    w[13].end = 15; /* ref 87 */
    w[1].end = 15;  /* ref 99: beyond the cap */
    r = run(w, 14, &q);
    TL(r, "FR", SVOD,
       "0-10 A; 10-15 X87 X88 X89 X90 X91 X92 X93 X94 +5; 15-20 X88 X89 X90 X91 X92 X93 X94 X95 "
       "+3; 20-21 X88 X89; 21-100 A");
    w[13].end = 21;
    r = run(w, 14, &q);
    TL(r, "FR", SVOD,
       "0-10 A; 10-15 X87 X88 X89 X90 X91 X92 X93 X94 +5; 15-20 X87 X88 X89 X90 X91 X92 X93 X94 "
       "+4; 20-21 X87 X88 X89; 21-100 A");
}

static void test_status_on(void **state)
{
    (void)state;
    av_terrs eu;
    assert_true(dims_terr_group("EUROPE", &eu));
    av_window w[] = {IN(0, 100, "", M(SVOD), AV_SOLE, 1),
                     LIC(0, 10, "FR", M(SVOD), AV_EXCLUSIVE, 2),
                     LIC(0, 10, "DE", M(SVOD), AV_NON_EXCLUSIVE, 3),
                     HB(0, 10, "IT", M(SVOD), 4),
                     IN(0, 100, "ES", M(SVOD), AV_NON_EXCLUSIVE, 5),
                     HB(0, 10, "FR", M(SVOD), 6)};
    w[0].terrs = eu;
    w[0].terrs.w[dims_terr_index("ES") >> 6] &= ~(1ULL << (dims_terr_index("ES") & 63));
    av_terrs q = T("FR DE IT ES GB US");
    uint8_t st[AV_NTERR];
    uint32_t ref[AV_NTERR];
    memset(st, 99, sizeof st);
    av_status_on(w, 6, &q, SVOD, 5, AV_SOLE, st, ref);
#define ST(c) st[dims_terr_index(c)]
#define RF(c) ref[dims_terr_index(c)]
    assert_int_equal(ST("FR"), AV_CELL_EXCLUSIVE); /* before the holdback in the order */
    assert_int_equal(RF("FR"), 2);
    assert_int_equal(ST("DE"), AV_CELL_NON_EXCLUSIVE);
    assert_int_equal(RF("DE"), 3);
    assert_int_equal(ST("IT"), AV_CELL_HOLDBACK);
    assert_int_equal(RF("IT"), 4);
    assert_int_equal(ST("ES"), AV_CELL_RIGHTS_LEVEL);
    assert_int_equal(RF("ES"), 5);
    assert_int_equal(ST("GB"), AV_CELL_AVAILABLE);
    assert_int_equal(ST("US"), AV_CELL_NO_RIGHTS);
    assert_int_equal(ST("NL"), 99); /* not asked: untouched */
    av_status_on(w, 6, &q, SVOD, 5, AV_NON_EXCLUSIVE, st, NULL);
    assert_int_equal(ST("DE"), AV_CELL_AVAILABLE);
    assert_int_equal(ST("ES"), AV_CELL_AVAILABLE);
    av_status_on(w, 6, &q, SVOD, 10, AV_SOLE, st, ref); /* the day after the licenses end */
    assert_int_equal(ST("FR"), AV_CELL_AVAILABLE);
    assert_int_equal(ST("IT"), AV_CELL_AVAILABLE);
    av_status_on(w, 6, &q, AVOD, 5, AV_SOLE, st, ref);
    assert_int_equal(ST("FR"), AV_CELL_NO_RIGHTS);
    av_status_on(w, 6, &q, 64, 5, AV_SOLE, st, ref); /* out of range: nothing written */
    assert_int_equal(ST("FR"), AV_CELL_NO_RIGHTS);
#undef ST
#undef RF
}

/* ---- The brute-force cross-check. ---- */

static bool same_reasons(const av_reason *a, const av_reason *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i].kind != b[i].kind || a[i].ref != b[i].ref) return false;
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *const pool_terr[] = {"FR", "DE", "IT", "ES", "GB", "US"};
static const char *const pool_lang[] = {"fr", "fr-CA", "en", "de", "en-GB"};

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static bool basic_filter(const char *range, const char *tag)
{
    size_t n = strlen(range);
    return strncasecmp(range, tag, n) == 0 && (tag[n] == 0 || tag[n] == '-');
}

/* The per-day reference, straight from the rules: the full sorted reason list of one
 * territory, media, language (NULL: none) and day. */
static int reference(const av_window *w, int nw, const av_query *q, int t, int m, const av_lang *ql,
                     av_day d, av_reason *out, bool *avail)
{
    int n = 0;
    uint8_t need = ql ? ql->kinds : 0, lvl = 0, any = 0;
    bool gap = false;
    for (int i = 0; i < nw; i++) {
        const av_window *x = &w[i];
        if (!av_terrs_has(&x->terrs, t) || !(x->media >> m & 1) || d < x->start || d >= x->end)
            continue;
        if (x->kind == AV_RIGHTS_IN) {
            uint8_t k = 0;
            if (!ql || !x->nlangs)
                k = AV_KIND_ALL;
            else
                for (int j = 0; j < x->nlangs; j++)
                    if (basic_filter(x->langs[j].tag, ql->tag)) k |= x->langs[j].kinds;
            any |= k;
            if (x->excl >= q->excl) lvl |= k;
            continue;
        }
        if (x->kind == AV_HOLDBACK) {
            out[n++] = (av_reason){AV_GAP_HOLDBACK, x->ref};
            gap = true;
            continue;
        }
        bool touch = !ql || !x->nlangs;
        for (int j = 0; j < x->nlangs && !touch; j++)
            touch =
                (x->langs[j].kinds & (ql->kinds ? ql->kinds : AV_KIND_ALL)) &&
                (basic_filter(x->langs[j].tag, ql->tag) || basic_filter(ql->tag, x->langs[j].tag));
        if (!touch) continue;
        if (x->pending)
            out[n++] = (av_reason){AV_NOTE_PENDING, x->ref};
        else if (x->excl != AV_NON_EXCLUSIVE)
            out[n++] = (av_reason){AV_GAP_EXCLUSIVE, x->ref}, gap = true;
        else if (q->excl != AV_NON_EXCLUSIVE)
            out[n++] = (av_reason){AV_GAP_NON_EXCLUSIVE, x->ref}, gap = true;
    }
    bool ok_lvl = need ? (lvl & need) == need : lvl != 0;
    bool ok_any = need ? (any & need) == need : any != 0;
    if (!ok_lvl) {
        gap = true;
        if (!ok_any)
            out[n++] = (av_reason){AV_GAP_NO_RIGHTS, 0};
        else
            for (int i = 0; i < nw; i++) {
                const av_window *x = &w[i];
                if (x->kind == AV_RIGHTS_IN && x->excl < q->excl && av_terrs_has(&x->terrs, t) &&
                    x->media >> m & 1 && d >= x->start && d < x->end) {
                    bool cov = !ql || !x->nlangs;
                    for (int j = 0; j < x->nlangs && !cov; j++)
                        cov = basic_filter(x->langs[j].tag, ql->tag) && x->langs[j].kinds;
                    if (cov) out[n++] = (av_reason){AV_GAP_RIGHTS_LEVEL, x->ref};
                }
            }
    }
    /* sort by (kind, ref), dedupe */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (out[j].kind < out[i].kind ||
                (out[j].kind == out[i].kind && out[j].ref < out[i].ref)) {
                av_reason x = out[i];
                out[i] = out[j];
                out[j] = x;
            }
    int u = 0;
    for (int i = 0; i < n; i++)
        if (!u || out[u - 1].kind != out[i].kind || out[u - 1].ref != out[i].ref) out[u++] = out[i];
    *avail = !gap;
    return u;
}

static av_day rday(void)
{
    int r = (int)rnd(20);
    if (r == 0) return AV_OPEN_START;
    return (av_day)rnd(70) - 5;
}

static void test_brute_force(void **state)
{
    (void)state;
    static av_lang langs[64][3];
    for (int iter = 0; iter < 3000; iter++) {
        int nw = 1 + (int)rnd(iter % 10 == 0 ? 40 : 12);
        bool big = iter % 4 == 0; /* many territories: many classes, merged cells */
        av_window w[40];
        for (int i = 0; i < nw; i++) {
            av_window *x = &w[i];
            memset(x, 0, sizeof *x);
            x->kind = (uint8_t)(rnd(5) < 2 ? AV_RIGHTS_IN : rnd(3) ? AV_LICENSE : AV_HOLDBACK);
            x->excl = (uint8_t)rnd(3);
            x->pending = x->kind == AV_LICENSE && rnd(4) == 0;
            x->start = rday();
            x->end = rnd(10) == 0                ? AV_OPEN_END
                     : x->start == AV_OPEN_START ? (av_day)rnd(70)
                                                 : x->start + 1 + (av_day)rnd(30);
            for (int k = 0; k < 6; k++)
                if (rnd(2)) av_terrs_add(&x->terrs, dims_terr_index(pool_terr[k]));
            if (big && rnd(3) == 0) {
                static const char *const groups[] = {"EUROPE", "DACH", "WORLD", "LATAM"};
                av_terrs g;
                dims_terr_group(groups[rnd(4)], &g);
                for (int k = 0; k < 4; k++)
                    x->terrs.w[k] |= g.w[k];
            }
            if (big)
                for (int k = 0, n = (int)rnd(4); k < n; k++)
                    av_terrs_add(&x->terrs, (int)rnd(250));
            x->media = rnd(4) ? M(SVOD) : rnd(2) ? M(AVOD) : M(SVOD) | M(AVOD);
            x->ref = 1 + rnd(30); /* repeats happen on purpose */
            if (rnd(3) == 0) {
                x->nlangs = (uint16_t)(1 + rnd(2));
                for (int j = 0; j < x->nlangs; j++)
                    langs[i][j] = LG(pool_lang[rnd(5)], 1 + (int)rnd(7));
                x->langs = langs[i];
            }
        }
        av_query q = {
            .start = (av_day)rnd(20), .excl = (uint8_t)rnd(3), .media = M(SVOD) | M(AVOD)};
        q.end = q.start + 1 + (av_day)rnd(50);
        for (int k = 0; k < 6; k++)
            if (rnd(3)) av_terrs_add(&q.terrs, dims_terr_index(pool_terr[k]));
        if (big) {
            dims_terr_group(rnd(2) ? "WORLD" : "EUROPE", &q.terrs);
            for (int k = 0, n = (int)rnd(5); k < n; k++) { /* exclusions */
                int t = (int)rnd(250);
                q.terrs.w[t >> 6] &= ~(1ULL << (t & 63));
            }
        }
        if (dims_terr_popcount(&q.terrs) == 0) av_terrs_add(&q.terrs, dims_terr_index("FR"));
        /* the territories checked day by day: the pool, and a sample of the rest */
        int chk[16], nchk = 0;
        for (int k = 0; k < 6; k++)
            if (av_terrs_has(&q.terrs, dims_terr_index(pool_terr[k])))
                chk[nchk++] = dims_terr_index(pool_terr[k]);
        for (int k = 0; big && k < 8; k++) {
            int t = (int)rnd(250);
            if (av_terrs_has(&q.terrs, t)) chk[nchk++] = t;
        }
        av_lang ql[2];
        if (rnd(2)) {
            q.nlangs = 1 + (int)rnd(2);
            for (int j = 0; j < q.nlangs; j++)
                ql[j] = LG(pool_lang[rnd(5)], (int)rnd(8));
            if (q.nlangs == 2 && strcasecmp(ql[0].tag, ql[1].tag) == 0) q.nlangs = 1;
            q.langs = ql;
        }
        av_result r = run(w, nw, &q);
        int nl = q.nlangs ? q.nlangs : 1;
        for (int m = SVOD; m <= AVOD; m++)
            for (int li = 0; li < nl; li++) {
                int lang = q.nlangs ? li : -1;
                av_terrs seen = {0};
                for (int c = 0; c < r.ncells; c++) {
                    const av_cell *cell = &r.cells[c];
                    if (cell->media != m || cell->lang != lang) continue;
                    /* disjoint cells, covering the whole window, adjacent segments differ */
                    for (int k = 0; k < 4; k++) {
                        assert_true((seen.w[k] & cell->terrs.w[k]) == 0);
                        seen.w[k] |= cell->terrs.w[k];
                    }
                    assert_true(cell->nsegs > 0);
                    assert_int_equal(cell->segs[0].start, q.start);
                    assert_int_equal(cell->segs[cell->nsegs - 1].end, q.end);
                    for (int s = 1; s < cell->nsegs; s++)
                        assert_int_equal(cell->segs[s].start, cell->segs[s - 1].end);
                    int t = 0;
                    while (!av_terrs_has(&cell->terrs, t))
                        t++;
                    for (int s = 0; s < cell->nsegs; s++) {
                        assert_true(cell->segs[s].start < cell->segs[s].end);
                        assert_true(cell->segs[s].nreasons <= AV_MAX_REASONS);
                    }
                }
                assert_memory_equal(&seen, &q.terrs, sizeof seen);
                /* no two cells of the same media and language share a timeline (as shown,
                 * unless they differ beyond the reason cap), and they come in territory order */
                static char texts[AV_NTERR][2048];
                static const char *order[AV_NTERR];
                int ns = 0, last = -1;
                for (int c = 0; c < r.ncells; c++) {
                    const av_cell *cell = &r.cells[c];
                    if (cell->media != m || cell->lang != lang) continue;
                    int t = 0;
                    while (!av_terrs_has(&cell->terrs, t))
                        t++;
                    assert_true(t > last);
                    last = t;
                    bool any_more = false;
                    for (int g = 0; g < cell->nsegs; g++)
                        any_more |= cell->segs[g].more > 0;
                    if (any_more) continue;
                    snprintf(texts[ns], sizeof texts[ns], "%s", fmt_cell(cell));
                    order[ns] = texts[ns];
                    ns++;
                }
                qsort(order, (size_t)ns, sizeof *order, cmp_str);
                for (int i = 1; i < ns; i++)
                    if (strcmp(order[i - 1], order[i]) == 0)
                        fail_msg("iter %d: two cells share the timeline %s", iter, order[i]);
                /* every territory, every day, against the reference */
                for (int k = 0; k < nchk; k++) {
                    int t = chk[k];
                    const char *code = dims_terr_code(t);
                    const av_cell *cell = cell_of(&r, code, m, lang);
                    const av_segment *s = cell->segs;
                    av_reason prev[64];
                    int nprev = -1;
                    bool pavail = false;
                    for (av_day d = q.start; d < q.end; d++) {
                        while (d >= s->end)
                            s++;
                        av_reason ref[64];
                        bool avail;
                        int n =
                            reference(w, nw, &q, t, m, q.nlangs ? &ql[li] : NULL, d, ref, &avail);
                        int shown = n < AV_MAX_REASONS ? n : AV_MAX_REASONS;
                        if (avail != s->available || shown != s->nreasons || n - shown != s->more ||
                            !same_reasons(ref, s->reasons, shown)) {
                            char rs[512] = "";
                            for (int i = 0; i < n; i++)
                                snprintf(rs + strlen(rs), sizeof rs - strlen(rs), " %d:%u",
                                         ref[i].kind, ref[i].ref);
                            fail_msg("iter %d %s media %d lang %d day %d: engine \"%s\", reference "
                                     "available %d with%s",
                                     iter, code, m, lang, d, fmt_cell(cell), avail, rs);
                        }
                        /* a segment starts exactly where the reference changes */
                        bool changed = nprev < 0 || pavail != avail || nprev != n ||
                                       !same_reasons(prev, ref, n);
                        if (changed != (d == s->start))
                            fail_msg("iter %d %s day %d: segment boundary mismatch in \"%s\"", iter,
                                     code, d, fmt_cell(cell));
                        memcpy(prev, ref, (size_t)n * sizeof *ref);
                        nprev = n;
                        pavail = avail;
                    }
                    /* and av_status_on, on every day, when languages are not a dimension */
                    if (q.nlangs) continue;
                    for (av_day d = q.start; d < q.end; d++) {
                        uint8_t st[AV_NTERR];
                        uint32_t rf[AV_NTERR];
                        av_status_on(w, nw, &q.terrs, m, d, q.excl, st, rf);
                        av_reason ref[64];
                        bool avail;
                        int n = reference(w, nw, &q, t, m, NULL, d, ref, &avail);
                        uint8_t want = AV_CELL_AVAILABLE;
                        for (int i = n - 1; i >= 0; i--)
                            if (ref[i].kind != AV_NOTE_PENDING) want = ref[i].kind;
                        if (st[t] != want)
                            fail_msg("iter %d %s day %d: status %d, want %d", iter, code, d, st[t],
                                     want);
                        if (want >= AV_CELL_RIGHTS_LEVEL) {
                            bool ok = false;
                            for (int i = 0; i < n; i++)
                                ok |= ref[i].kind == want && ref[i].ref == rf[t];
                            if (!ok) fail_msg("iter %d: status ref %u not a reason", iter, rf[t]);
                        }
                    }
                }
            }
    }
}

/* ---- Speed (printed, not asserted: the benchmark measures it for real). ---- */

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void test_speed(void **state)
{
    (void)state;
    /* a realistic title: worldwide rights in, ~100 licenses and holdbacks, most of them in the
     * big markets and on SVOD/AVOD/TVOD */
    av_window w[110];
    int nw = 0;
    const char *groups[] = {"EUROPE", "ASIA",   "LATAM",  "NORTH_AMERICA",
                            "MENA",   "AFRICA", "OCEANIA"};
    av_terrs world;
    dims_terr_group("WORLD", &world);
    w[nw++] = (av_window){.start = 19000,
                          .end = 19000 + 3650,
                          .terrs = world,
                          .media = (1ULL << 15) - 1,
                          .kind = AV_RIGHTS_IN,
                          .excl = AV_EXCLUSIVE,
                          .ref = 1};
    rng = 12345;
    while (nw < 100) {
        av_window *x = &w[nw];
        memset(x, 0, sizeof *x);
        static const char *const majors[] = {"FR", "DE", "IT", "ES", "GB", "US", "JP", "BR"};
        uint32_t pick = rnd(10);
        if (pick < 3)
            dims_terr_group(groups[rnd(7)], &x->terrs);
        else if (pick < 8)
            for (int k = 0, n = 1 + (int)rnd(3); k < n; k++)
                av_terrs_add(&x->terrs, dims_terr_index(majors[rnd(8)]));
        else
            for (int k = 0, n = 1 + (int)rnd(3); k < n; k++)
                av_terrs_add(&x->terrs, (int)rnd(250));
        x->media = rnd(2) ? 1ULL << (SVOD + rnd(3)) : 1ULL << rnd(15);
        x->start = 19000 + (av_day)rnd(3000);
        x->end = x->start + 30 + (av_day)rnd(700);
        x->kind = (uint8_t)(rnd(8) == 0 ? AV_HOLDBACK : AV_LICENSE);
        x->excl = (uint8_t)rnd(3);
        x->ref = (uint32_t)(nw + 1);
        nw++;
    }
    av_query q = Q(19000, 19000 + 3650, "FR DE IT ES", M(SVOD), AV_EXCLUSIVE);
    av_result r;
    int reps = 20000;
    double t0 = now_us();
    for (int i = 0; i < reps; i++) {
        ms_arena_reset(&arena);
        if (av_compute(w, nw, &q, &arena, &r)) fail();
    }
    double small = (now_us() - t0) / reps;
    q.terrs = world;
    q.media = (1ULL << 15) - 1;
    reps = 500;
    t0 = now_us();
    for (int i = 0; i < reps; i++) {
        ms_arena_reset(&arena);
        if (av_compute(w, nw, &q, &arena, &r)) fail();
    }
    double big = (now_us() - t0) / reps;
    int cells = r.ncells;
    uint8_t st[AV_NTERR];
    uint32_t rf[AV_NTERR];
    reps = 100000;
    t0 = now_us();
    unsigned sink = 0;
    for (int i = 0; i < reps; i++) {
        av_status_on(w, nw, &world, SVOD, 19000 + i % 3000, AV_NON_EXCLUSIVE, st, rf);
        sink += st[i % 250];
    }
    double on = (now_us() - t0) / reps;
    print_message("speed: av_compute 4 territories x 1 media: %.2f us; WORLD x 15 media: %.1f us "
                  "(%d cells); av_status_on 250 territories: %.3f us (%u)\n",
                  small, big, cells, on, sink % 2);
}

static int setup(void **state)
{
    (void)state;
    ms_arena_init(&arena, 1 << 16);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    ms_arena_free(&arena);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_question),  cmocka_unit_test(test_rights_in_bound),
        cmocka_unit_test(test_license_edges), cmocka_unit_test(test_rights_level),
        cmocka_unit_test(test_pending),       cmocka_unit_test(test_languages),
        cmocka_unit_test(test_territories),   cmocka_unit_test(test_reason_cap),
        cmocka_unit_test(test_status_on),     cmocka_unit_test(test_brute_force),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
