/* log.h: structured log lines, one JSON object per line on standard error.
 *
 * {"ts":"...","level":"info","msg":"server started","listen":"127.0.0.1:8080"}
 * Each line is written with one write(2), so lines from different threads never interleave.
 * The level threshold is process-wide and set once at start; logging is a process service
 * like the clock. It is not a metrics system (see http/metrics.h). */
#ifndef MS_LOG_H
#define MS_LOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum { MS_LOG_DEBUG = 0, MS_LOG_INFO = 1, MS_LOG_WARN = 2, MS_LOG_ERROR = 3, MS_LOG_OFF = 4 };

void ms_log_set_level(int level);
int ms_log_level_parse(const char *name); /* -1 when unknown */
bool ms_log_enabled(int level);
/* Log `msg` with extra fields (may be NULL; the reference is stolen), e.g.
 * ms_log(MS_LOG_INFO, "listening", json_pack("{s:s,s:i}", "host", h, "port", p)); */
void ms_log(int level, const char *msg, json_t *fields);
/* Write an already formatted JSON line (without the newline). */
void ms_log_line(const char *line, size_t n);

#endif
