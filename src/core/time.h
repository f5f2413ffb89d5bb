/* time.h: wall-clock and monotonic time, and RFC 3339 text.
 *
 * Stored times are RFC 3339 UTC text with milliseconds, fixed width
 * ("2026-11-22T08:30:00.000Z"), so that they sort as text in every SQL engine. */
#ifndef MS_TIME_H
#define MS_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define MS_TIME_LEN 25 /* 24 chars + NUL */

int64_t ms_now_ms(void);   /* Unix time in milliseconds */
uint64_t ms_mono_ns(void); /* monotonic clock, for durations */
void ms_time_fmt(int64_t unix_ms, char out[MS_TIME_LEN]);
void ms_now_str(char out[MS_TIME_LEN]);
/* Parse RFC 3339 date-time ("2026-11-22T08:30:00Z", "...+08:00", fractional seconds).
 * Returns false on anything else, including impossible dates. */
bool ms_time_parse(const char *s, int64_t *unix_ms);
/* Days since 1970-01-01 for a proleptic Gregorian date; validates the date. */
bool ms_days_from_civil(int y, int m, int d, int64_t *days);

#endif
