/* timecode.h: SMPTE ST 12-1 time address labels ("01:00:00;00") and the frame counts they name,
 * frame rates as exact rationals, and the conversions a timeline needs (frames to and from
 * seconds, milliseconds and frames of another rate).
 *
 * Written from the counting rules of ST 12-1: a label HH:MM:SS:FF counts frames at the nominal
 * (integer) rate of its frame rate, ceil(num/den): 30 for 30000/1001, 24 for 24000/1001. A
 * 1001 rate runs slower than its label says (one real hour of 29.97 is 00:59:56:12 non-drop);
 * drop-frame counting fixes that for 30000/1001 and 60000/1001 only, by leaving out frame
 * labels 00 and 01 (00 to 03 at 59.94) of every minute except minutes 00, 10, 20, 30, 40, 50.
 * No frame is dropped: only labels are. A frame count is the number of frames since
 * 00:00:00:00, so 00:01:00;02 is frame 1800 at 29.97 drop-frame.
 *
 * Not here: the binary timecode word (LTC and VITC bits, user bits, binary group flags), the
 * field mark and frame-pair flag of rates above 30 in ST 12-1 (a 50 or 60 fps label here simply
 * counts 0..49 or 0..59), ST 12-3 high frame rate labels, drop-frame at any other rate (ST 12-1
 * has none), and negative timecode. Every function is pure and thread-safe. */
#ifndef MS_TIMECODE_H
#define MS_TIMECODE_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A frame rate: num/den frames per second. Valid rates are the whole rates 1 to
 * MS_RATE_NOMINAL_MAX (24/1, 25/1, 48/1, ...) and the 1001 rates N*1000/1001 for the same N
 * (24000/1001, 30000/1001, 60000/1001, ...), in any equivalent form (48/2 is 24/1); every
 * function accepts any form and normalizes. */
typedef struct ms_rate {
    int32_t num;
    int32_t den;
} ms_rate;

/* An exact number (seconds): num/den, den > 0, reduced. */
typedef struct ms_rational {
    int64_t num;
    int64_t den;
} ms_rational;

#define MS_RATE_NOMINAL_MAX 1000 /* the largest nominal rate (frames counted per second) */
#define MS_RATE_LEN         24   /* "29.97", "23.976", "24000/1001" and the NUL */
#define MS_TC_LEN           32   /* the longest label (MS_TC_NOWRAP hours) and the NUL */

/* Flags of ms_tc_parse and ms_tc_format. */
enum {
    /* Drop-frame counting. Formatting: write a drop-frame label ("HH:MM:SS;FF"). Parsing: read
     * the label as drop-frame even when its separators are all colons (an EDL whose FCM line
     * says DROP FRAME writes its timecodes that way). MS_EINVAL at a rate without drop-frame. */
    MS_TC_DROP = 1u << 0,
    /* Hours past 23. Formatting: do not wrap at 24 hours (frame counts of a day and more are
     * written with hours 24, 25, ..., 100, ...). Parsing: accept hours of 2 to 9 digits. Without
     * it, formatting wraps at 24 hours and parsing accepts hours 00 to 23 only. */
    MS_TC_NOWRAP = 1u << 1,
};

/* Check a rate and write its normal form to `norm` (may be NULL): N/1, or N*1000/1001 for a 1001
 * rate. MS_EINVAL for zero or negative parts, rates that are neither whole nor a 1001 rate
 * (25/2, 1/3, 30000/1002) and nominal rates above MS_RATE_NOMINAL_MAX. */
int ms_rate_check(ms_rate r, ms_rate *norm, ms_error *e);
/* The nominal (counting) rate: 30 for 30000/1001, 25 for 25/1; 0 for an invalid rate. */
int ms_rate_nominal(ms_rate r);
/* Whether drop-frame exists at this rate: 30000/1001 and 60000/1001 only. */
bool ms_rate_has_drop(ms_rate r);
/* Parse a rate: a whole number ("24", "25.000"), a decimal of a 1001 rate with at least two
 * decimals that rounds to it ("23.976", "23.98", "29.97", "59.94", "47.952", "119.88"), or a
 * fraction ("24000/1001", "25/1"). Nothing else: no spaces, no sign, no "fps". */
int ms_rate_parse(const char *s, ms_rate *out, ms_error *e);
/* The rate as a person writes it: "24", "25", "23.976", "29.97", "59.94"; "?" when invalid. */
void ms_rate_fmt(ms_rate r, char out[MS_RATE_LEN]);
/* Frames in 24 hours of labels: 2589408 at 29.97 drop-frame, 2592000 non-drop; 0 when the rate
 * is invalid or has no drop-frame and `drop` asks for it. */
int64_t ms_tc_day_frames(ms_rate r, bool drop);

/* Parse a label of `n` bytes (no NUL needed) into a frame count since 00:00:00:00.
 *   HH:MM:SS:FF    non-drop-frame (drop-frame too with MS_TC_DROP)
 *   HH:MM:SS;FF    drop-frame
 *   HH:MM:SS.FF    drop-frame
 *   HH;MM;SS;FF    drop-frame
 * Every field is exactly two digits (frames: three when the nominal rate is above 100; hours: 2
 * to 9 with MS_TC_NOWRAP). Rejected with MS_EINVAL: other separators or widths, anything
 * around the label (spaces included), minutes or seconds above 59, frames at or above the
 * nominal rate, hours above 23 (without MS_TC_NOWRAP), a drop-frame label at a rate without
 * drop-frame, and the labels drop-frame leaves out (00:01:00;00 and 00:01:00;01 at 29.97;
 * ;00 to ;03 at 59.94, in every minute not divisible by ten). `drop` (may be NULL) says whether
 * the label was read as drop-frame. */
int ms_tc_parse(const char *s, size_t n, ms_rate r, unsigned flags, int64_t *frames, bool *drop,
                ms_error *e);
/* Write the label of a frame count: "HH:MM:SS:FF", or "HH:MM:SS;FF" with MS_TC_DROP. Counts of
 * 24 hours and more wrap to the next day (00:00:00:00 again) unless MS_TC_NOWRAP. MS_EINVAL for
 * a negative count, an invalid rate, or MS_TC_DROP at a rate without drop-frame. */
int ms_tc_format(int64_t frames, ms_rate r, unsigned flags, char out[MS_TC_LEN], ms_error *e);

/* Conversions. A frame count here is any int64 (negative too: a duration or an offset); the
 * results are exact or rounded to the nearest integer with halves away from zero. MS_EINVAL for
 * an invalid rate, a zero or negative denominator, or a result that does not fit in int64. */

/* The start time of frame `frames`, exactly: frames * den / num seconds (1001/30000 for frame 1
 * at 29.97). Independent of drop-frame, which only renames frames. */
int ms_tc_frames_to_seconds(int64_t frames, ms_rate r, ms_rational *secs, ms_error *e);
/* The frame nearest to a time: round(secs * num / den). */
int ms_tc_seconds_to_frames(ms_rational secs, ms_rate r, int64_t *frames, ms_error *e);
/* Milliseconds of a frame's start, rounded: round(frames * 1000 * den / num). */
int ms_tc_frames_to_ms(int64_t frames, ms_rate r, int64_t *ms, ms_error *e);
/* The frame nearest to a time in milliseconds: round(ms * num / (1000 * den)). */
int ms_tc_ms_to_frames(int64_t ms, ms_rate r, int64_t *frames, ms_error *e);
/* The frame at rate `to` that starts nearest to the start of frame `frames` at rate `from`:
 * round(frames * (to/from)). Real time is kept, not the count: 48 frames at 24 fps are 50 at
 * 25 fps, 1001 frames at 24 fps are 1000 at 24000/1001. (Playing the same frames at another
 * rate, as a 24 to 25 speed-up does, keeps the count and needs no conversion.) */
int ms_tc_convert(int64_t frames, ms_rate from, ms_rate to, int64_t *out, ms_error *e);

#endif
