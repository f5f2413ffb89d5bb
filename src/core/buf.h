/* buf.h: a growable byte buffer, and the string helpers that write into one.
 *
 * ms_buf owns heap memory (malloc/realloc); it is the tool for building responses, log lines
 * and SQL-free text. It always keeps a NUL after the data so `data` can be used as a C string.
 * An allocation failure is sticky: `oom` is set, later appends do nothing, and the caller
 * checks once at the end. It is not an arena (see arena.h) and not thread-safe. */
#ifndef MS_BUF_H
#define MS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ms_buf {
    char *data;
    size_t len;
    size_t cap;
    bool oom;
} ms_buf;

void ms_buf_init(ms_buf *b);
void ms_buf_free(ms_buf *b);
void ms_buf_reset(ms_buf *b); /* len = 0, keeps the memory */
bool ms_buf_reserve(ms_buf *b, size_t extra);
void ms_buf_append(ms_buf *b, const void *p, size_t n);
void ms_buf_puts(ms_buf *b, const char *s);
void ms_buf_putc(ms_buf *b, char c);
void ms_buf_printf(ms_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ms_buf_put_i64(ms_buf *b, int64_t v);
/* Append `s` as a JSON string literal (quotes included), escaping what JSON requires and
 * U+2028/U+2029. `s` must be valid UTF-8 (everything stored came through the validator). */
void ms_buf_put_json_str(ms_buf *b, const char *s);
void ms_buf_put_json_strn(ms_buf *b, const char *s, size_t n);
/* Detach the data (caller frees it); the buffer is left empty. */
char *ms_buf_take(ms_buf *b);

/* Helpers on plain strings. */
bool ms_str_eq(const char *a, const char *b); /* NULL-safe */
bool ms_str_has_prefix(const char *s, const char *prefix);
/* Constant-time comparison of two equal-length byte strings. */
bool ms_ct_eq(const void *a, const void *b, size_t n);
/* Copy with truncation (never inside a UTF-8 character), always NUL-terminates; returns
 * false when truncated. */
bool ms_strlcpy(char *dst, const char *src, size_t size);
/* The length of the first `n` bytes of `s` without a multi-byte UTF-8 character that a
 * truncation cut short at their end (snprintf into a fixed buffer does that). */
size_t ms_utf8_whole(const char *s, size_t n);
/* Lower-case ASCII in place. */
void ms_str_lower(char *s);
/* True when `s` is valid UTF-8 of at most `max` bytes with no control characters
 * (tabs and newlines are allowed when `multiline`). */
bool ms_str_is_clean_text(const char *s, size_t max, bool multiline);
/* A folder path in the asset library's form: slashes collapsed, a leading '/', no trailing
 * one, "/" for the root. false for "." or ".." segments, a segment over 255 bytes, or a result
 * that does not fit `cap`. (Text checks are the caller's.) */
bool ms_folder_normalize(const char *in, char *out, size_t cap);

/* Encodings. Output buffers must hold the sizes given. */
size_t ms_b64url_encode(const uint8_t *in, size_t n, char *out); /* out: 4*ceil(n/3)+1 */
void ms_hex_encode(const uint8_t *in, size_t n, char *out);      /* out: 2n+1 */
/* Decode base64url without padding; returns decoded length or -1. */
long ms_b64url_decode(const char *in, uint8_t *out, size_t outcap);

#endif
