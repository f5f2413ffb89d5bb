/* avails.h: the avails engine - what of a title can still be licensed, as exact windows, and
 * why every gap is a gap. Pure interval algebra over rights windows held in memory: no
 * database, no JSON, no allocation but the arena it is given. The server loads an
 * organization's windows once (rights/cache.c) and calls av_compute per request; the
 * benchmark calls the same function.
 *
 * Rules (docs/rights.md says them for users):
 *   - Days are whole days, UTC, counted from 1970-01-01; a window is [start, end): `end` is the
 *     day after its last day. AV_OPEN_START / AV_OPEN_END stand for no bound.
 *   - A cell is one territory x one media (x one language when the question names languages).
 *   - Rights in bound everything: a day of a cell with no matching rights in is a gap
 *     (AV_GAP_NO_RIGHTS). Asking for more exclusivity than the rights in give is a gap
 *     (AV_GAP_RIGHTS_LEVEL): exclusive needs exclusive rights in, sole needs sole or exclusive.
 *   - An exclusive or sole license out blocks every overlapping request (AV_GAP_EXCLUSIVE).
 *     A non-exclusive one blocks only requests for sole or exclusive (AV_GAP_NON_EXCLUSIVE).
 *   - A holdback blocks its media in its territories over its window, whatever the
 *     exclusivity (AV_GAP_HOLDBACK). Holdbacks ignore languages.
 *   - A pending license (not yet signed) blocks nothing; it is reported on the days it
 *     overlaps (AV_NOTE_PENDING), available or not.
 *   - Languages: a window with no languages covers every language. When the question names
 *     languages, a right in covers a requested language when one of its tags matches it
 *     (RFC 4647 basic filtering: "fr" matches "fr" and "fr-CA", case-insensitively) and its
 *     kinds include the requested kinds (a request with no kinds: any one kind is enough); a
 *     license blocks a requested language when a tag matches and the kinds intersect. When
 *     the question names no languages, languages are not a dimension: rights in of any
 *     language count, and licenses of any language block. */
#ifndef MS_RIGHTS_AVAILS_H
#define MS_RIGHTS_AVAILS_H

#include "core/arena.h"

#include <stdbool.h>
#include <stdint.h>

typedef int32_t av_day;
#define AV_OPEN_START INT32_MIN
#define AV_OPEN_END   INT32_MAX

/* Territories: a set over the ISO 3166-1 alpha-2 table of rights/dims.h (index < 256). */
#define AV_NTERR 256
typedef struct av_terrs {
    uint64_t w[AV_NTERR / 64];
} av_terrs;
static inline void av_terrs_add(av_terrs *s, int i)
{
    s->w[i >> 6] |= 1ULL << (i & 63);
}
static inline bool av_terrs_has(const av_terrs *s, int i)
{
    return s->w[i >> 6] >> (i & 63) & 1;
}

/* Media: a set over an organization's media registry (built-ins first, then its own; < 64). */
typedef uint64_t av_media;
#define AV_NMEDIA 64

/* Language kinds (a mask). */
enum { AV_KIND_ORIGINAL = 1, AV_KIND_DUBBED = 2, AV_KIND_SUBTITLED = 4, AV_KIND_ALL = 7 };
typedef struct av_lang {
    const char *tag; /* canonical BCP 47 ("zh-Hant-TW"); compared case-insensitively */
    uint8_t kinds;   /* window: the kinds it covers (AV_KIND_ALL when none were given);
                        question: the kinds asked for, 0 = any */
} av_lang;

typedef enum av_kind { AV_RIGHTS_IN = 1, AV_LICENSE = 2, AV_HOLDBACK = 3 } av_kind;
/* Ordered: a request at a level needs rights in at that level or above. */
typedef enum av_excl { AV_NON_EXCLUSIVE = 0, AV_SOLE = 1, AV_EXCLUSIVE = 2 } av_excl;

typedef struct av_window {
    av_day start, end; /* [start, end) */
    av_terrs terrs;
    av_media media;
    const av_lang *langs; /* nlangs 0: every language */
    uint16_t nlangs;
    uint8_t kind;    /* av_kind */
    uint8_t excl;    /* av_excl (rights in and licenses) */
    uint8_t pending; /* licenses: not signed yet */
    uint32_t ref;    /* the caller's handle for the row it came from (reported in reasons) */
} av_window;

typedef struct av_query {
    av_terrs terrs;
    av_media media;
    const av_lang *langs; /* nlangs 0: languages are not a dimension */
    int nlangs;
    av_day start, end; /* [start, end); must be bounded: start < end, neither open */
    uint8_t excl;      /* the exclusivity wanted (av_excl) */
} av_query;

typedef enum av_reason_kind {
    AV_GAP_NO_RIGHTS = 1, /* ref: none (0) */
    AV_GAP_RIGHTS_LEVEL,  /* ref: a right in that covers the cell but at a lower level */
    AV_GAP_EXCLUSIVE,     /* ref: the exclusive or sole license */
    AV_GAP_NON_EXCLUSIVE, /* ref: the non-exclusive license */
    AV_GAP_HOLDBACK,      /* ref: the holdback */
    AV_NOTE_PENDING,      /* ref: the pending license (not a gap) */
} av_reason_kind;

typedef struct av_reason {
    uint8_t kind; /* av_reason_kind */
    uint32_t ref;
} av_reason;

#define AV_MAX_REASONS 8 /* per segment; more are counted in `more` */

typedef struct av_segment {
    av_day start, end; /* [start, end), inside the question's window */
    bool available;
    uint8_t nreasons;
    uint16_t more; /* reasons beyond AV_MAX_REASONS */
    av_reason reasons[AV_MAX_REASONS];
} av_segment;

/* One timeline shared by every territory in `terrs`, for one media and one language. */
typedef struct av_cell {
    av_terrs terrs;
    int media;        /* media index */
    int lang;         /* index into the question's langs, -1 when languages are no dimension */
    av_segment *segs; /* in time order, covering the whole question window, adjacent ones
                         differ (in availability or reasons) */
    int nsegs;
} av_cell;

typedef struct av_result {
    av_cell *cells; /* ordered by media, then language, then lowest territory index */
    int ncells;
} av_result;

/* Compute the avails of one title (its windows `w[0..nw)`) for question `q`, into arena `a`.
 * Returns 0, or MS_EINVAL for a malformed question (unbounded or empty window), or MS_ENOMEM. */
int av_compute(const av_window *w, int nw, const av_query *q, ms_arena *a, av_result *out);

/* The status of one title on one day for one media in each territory of `terrs`, for the
 * avails grid: status[t] for each territory index t in `terrs` (others untouched) is one of
 * AV_CELL_*, and ref[t] (may be NULL) the row behind a blocked status. Exclusivity wanted:
 * `excl`. */
enum {
    AV_CELL_AVAILABLE = 0,
    AV_CELL_NO_RIGHTS,
    AV_CELL_RIGHTS_LEVEL,
    AV_CELL_EXCLUSIVE,
    AV_CELL_NON_EXCLUSIVE,
    AV_CELL_HOLDBACK,
};
void av_status_on(const av_window *w, int nw, const av_terrs *terrs, int media, av_day day,
                  uint8_t excl, uint8_t *status, uint32_t *ref);

#endif
