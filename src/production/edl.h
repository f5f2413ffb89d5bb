/* edl.h: reading a CMX 3600 edit decision list (EDL) into events a program can use: which
 * frames of which reel go where on the record timeline, with which transition, clip names,
 * source files, locators (LOC markers) and motion (M2) speeds.
 *
 * The input is untrusted bytes (an upload): any size up to the caller's limit, NULs, invalid
 * UTF-8, CR, LF or CRLF line endings, absurd numbers. A line that cannot be understood is
 * reported with its line number and skipped; it never stops the rest of the list from being
 * read. Every string handed out is valid UTF-8 without control characters (bytes that are not
 * become U+FFFD, tabs become spaces), so it can go to JSON or a terminal as it is.
 *
 * An EDL does not say its frame rate: the caller passes the project's (see core/timecode.h).
 * The list's FCM lines say whether the timecodes that follow count drop-frame.
 *
 * Not here: writing EDLs, the fixed-column CMX 340/3400 and GVG/Sony dialects, AUD and SPLIT
 * lines, GPI, CDL (ASC_SOC/ASC_SAT lines are kept as comments), reel names with spaces, and
 * conforming (matching reels to assets is the caller's). */
#ifndef MS_EDL_H
#define MS_EDL_H

#include "core/arena.h"
#include "core/error.h"
#include "core/timecode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDL_LINE_MAX   4096   /* bytes in one line, its ending not counted */
#define EDL_REEL_MAX   128    /* bytes in a reel name */
#define EDL_EVENT_MAX  999999 /* the largest event number */
#define EDL_ERRORS_MAX 1000   /* line errors kept; errors_total counts them all */

typedef enum edl_transition {
    EDL_CUT,            /* C */
    EDL_DISSOLVE,       /* D nnn */
    EDL_WIPE,           /* Wnnn nnn (wipe pattern, duration) or W nnn */
    EDL_KEY,            /* K nnn: a key over the background (from) */
    EDL_KEY_BACKGROUND, /* K B (or KB) on a line of its own: the background of a key */
    EDL_KEY_OUT,        /* KO nnn (or K O nnn) */
} edl_transition;

/* One source clip of an event, read from one event line. Frame counts are since 00:00:00:00 at
 * the caller's rate, counted drop-frame when the event's `drop` says so. */
typedef struct edl_clip {
    char *reel;        /* as written: "AX", "BL" (black), "A001C003_230224_R1AB" */
    char *track;       /* as written, upper case: "V", "A", "A2", "AA", "AA/V", "B", "NONE" */
    uint64_t channels; /* bit 0: video; bit n: audio channel n (A = A1, AA = A1+A2, B = V+A1) */
    int64_t src_in, src_out; /* source timecodes (out is exclusive, as in the EDL) */
    int64_t rec_in, rec_out; /* record timecodes */
    /* A motion (M2) line for this clip's reel: frames per second, negative in reverse, 0 a
     * freeze frame, and the source timecode where the motion starts. */
    bool has_speed;
    ms_rational speed;
    int64_t speed_src;
    int line; /* 1-based line number of the event line */
} edl_clip;

/* A locator: "* LOC: 01:00:02:03 RED  SH010 text". */
typedef struct edl_marker {
    int64_t frames; /* its timecode, as a frame count */
    char *colour;   /* "RED", "GREEN", ... as written, or NULL when the line names none */
    char *name;     /* the first word after the colour, or NULL */
    char *text;     /* the rest of the line, or NULL */
    int line;
} edl_marker;

/* An event: one event line, or two with the same number that make one transition.
 *
 * Two lines: CMX writes a dissolve, a wipe or a key as the outgoing clip (a cut, usually of no
 * length) and then, under the same event number, the incoming clip with the transition and its
 * duration. Both are kept: the first line in `from` (has_from), the second in `clip`, and
 * `transition` is the second line's. A key's background line (K B) is the `from` of the key
 * line (K or KO) after it. Any other repeat of the number on the next event line is an error
 * of that line; a number that comes back later (long lists start again at 001) starts a new
 * event. */
typedef struct edl_event {
    uint32_t number;
    int line; /* 1-based line number where the event starts */
    edl_transition transition;
    int wipe;         /* the wipe pattern number of Wnnn; -1 when none was written */
    int64_t duration; /* the transition's length in frames; 0 for a cut */
    edl_clip clip;    /* the clip, or the incoming clip of a transition */
    bool has_from;
    edl_clip from;      /* the outgoing clip (or a key's background) of a two-line transition */
    bool drop;          /* the timecodes of this event count drop-frame */
    char *clip_name;    /* "* FROM CLIP NAME:", or NULL */
    char *to_clip_name; /* "* TO CLIP NAME:" (the incoming clip of a transition), or NULL */
    char *source_file;  /* "* SOURCE FILE:", or NULL */
    edl_marker *markers;
    size_t nmarkers;
    char **comments; /* the other "*" lines after the event, without the "*" */
    size_t ncomments;
} edl_event;

typedef struct edl_line_error {
    int line;
    char message[240];
} edl_line_error;

typedef struct edl_list {
    char *title;  /* "TITLE:", or NULL */
    ms_rate rate; /* the caller's rate, normalized */
    edl_event *events;
    size_t nevents;
    char **comments; /* "*" lines before the first event */
    size_t ncomments;
    edl_line_error *errors; /* in line order, at most EDL_ERRORS_MAX */
    size_t nerrors;
    size_t errors_total; /* every line error, also those past EDL_ERRORS_MAX */
    int lines;           /* lines read */
    ms_arena arena;      /* owns the strings; private */
} edl_list;

/* Read an EDL of `size` bytes at frame rate `rate`. MS_ETOOBIG when size > max_bytes, MS_EINVAL
 * for an invalid rate, MS_ENOMEM; otherwise 0 and a list (even an empty one: bad lines are in
 * its errors, not in the return code). Free it with edl_free. */
int edl_parse(const void *data, size_t size, size_t max_bytes, ms_rate rate, edl_list **out,
              ms_error *e);
void edl_free(edl_list *l);

/* "cut", "dissolve", "wipe", "key", "key-background", "key-out". */
const char *edl_transition_name(edl_transition t);

#endif
