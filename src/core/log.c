/* log.c: JSON log lines. See log.h. */
#include "core/log.h"

#include "core/buf.h"
#include "core/time.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_int log_level = MS_LOG_INFO;

void ms_log_set_level(int level)
{
    atomic_store(&log_level, level);
}

bool ms_log_enabled(int level)
{
    return level >= atomic_load(&log_level);
}

int ms_log_level_parse(const char *name)
{
    static const char *names[] = {"debug", "info", "warn", "error", "off"};
    for (int i = 0; i < 5; i++)
        if (strcmp(name, names[i]) == 0) return i;
    return -1;
}

void ms_log_line(const char *line, size_t n)
{
    /* One write for line + newline: copy into a small stack buffer when it fits. */
    char stackbuf[2048];
    if (n + 1 <= sizeof stackbuf) {
        memcpy(stackbuf, line, n);
        stackbuf[n] = '\n';
        ssize_t w = write(STDERR_FILENO, stackbuf, n + 1);
        (void)w;
        return;
    }
    struct iovec iov[2] = {{(void *)line, n}, {(void *)"\n", 1}};
    ssize_t w = writev(STDERR_FILENO, iov, 2);
    (void)w;
}

void ms_log(int level, const char *msg, json_t *fields)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (!ms_log_enabled(level) || level < 0 || level > MS_LOG_ERROR) {
        json_decref(fields);
        return;
    }
    char ts[MS_TIME_LEN];
    ms_now_str(ts);
    ms_buf b;
    ms_buf_init(&b);
    ms_buf_puts(&b, "{\"ts\":\"");
    ms_buf_puts(&b, ts);
    ms_buf_puts(&b, "\",\"level\":\"");
    ms_buf_puts(&b, names[level]);
    ms_buf_puts(&b, "\",\"msg\":");
    ms_buf_put_json_str(&b, msg);
    if (fields && json_is_object(fields) && json_object_size(fields)) {
        char *extra = json_dumps(fields, JSON_COMPACT);
        if (extra && extra[0] == '{' && extra[1] != '}') {
            ms_buf_putc(&b, ',');
            ms_buf_puts(&b, extra + 1); /* splice: drop the leading '{', keep the '}' */
        } else {
            ms_buf_putc(&b, '}');
        }
        free(extra);
    } else {
        ms_buf_putc(&b, '}');
    }
    json_decref(fields);
    if (!b.oom) ms_log_line(b.data, b.len);
    ms_buf_free(&b);
}
