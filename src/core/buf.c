/* buf.c: growable buffers, JSON string escaping, small string and encoding helpers. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ms_buf_init(ms_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

void ms_buf_free(ms_buf *b)
{
    free(b->data);
    ms_buf_init(b);
}

void ms_buf_reset(ms_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

bool ms_buf_reserve(ms_buf *b, size_t extra)
{
    if (b->oom) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void ms_buf_append(ms_buf *b, const void *p, size_t n)
{
    if (!ms_buf_reserve(b, n)) return;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ms_buf_puts(ms_buf *b, const char *s)
{
    ms_buf_append(b, s, strlen(s));
}

void ms_buf_putc(ms_buf *b, char c)
{
    ms_buf_append(b, &c, 1);
}

void ms_buf_printf(ms_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        ms_buf_append(b, tmp, (size_t)n);
        return;
    }
    if (!ms_buf_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ms_buf_put_i64(ms_buf *b, int64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    ms_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* Bytes that need more than themselves in a JSON string: controls, '"' and '\\'. U+2028
 * and U+2029 (E2 80 A8/A9) are escaped too, so the output is safe inside JavaScript. */
static const unsigned char json_special[256] = {
    1,         1,          1,          1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00-0x0f */
    1,         1,          1,          1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10-0x1f */
    ['"'] = 1, ['\\'] = 1, [0xE2] = 1,
};

void ms_buf_put_json_strn(ms_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* Worst case: every byte becomes \u00XX (6 bytes), plus the quotes. */
    if (!ms_buf_reserve(b, 6 * n + 2)) return;
    char *o = b->data + b->len;
    *o++ = '"';
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && !json_special[*p])
            p++;
        memcpy(o, run, (size_t)(p - run));
        o += p - run;
        if (p >= end) break;
        unsigned char c = *p++;
        switch (c) {
        case '"':
            *o++ = '\\', *o++ = '"';
            break;
        case '\\':
            *o++ = '\\', *o++ = '\\';
            break;
        case '\n':
            *o++ = '\\', *o++ = 'n';
            break;
        case '\r':
            *o++ = '\\', *o++ = 'r';
            break;
        case '\t':
            *o++ = '\\', *o++ = 't';
            break;
        case 0xE2:
            if (end - p >= 2 && p[0] == 0x80 && (p[1] == 0xA8 || p[1] == 0xA9)) {
                memcpy(o, p[1] == 0xA8 ? "\\u2028" : "\\u2029", 6);
                o += 6;
                p += 2;
            } else {
                *o++ = (char)c;
            }
            break;
        default:
            *o++ = '\\', *o++ = 'u', *o++ = '0', *o++ = '0';
            *o++ = hex[c >> 4], *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

void ms_buf_put_json_str(ms_buf *b, const char *s)
{
    ms_buf_put_json_strn(b, s, strlen(s));
}

char *ms_buf_take(ms_buf *b)
{
    char *p = b->data;
    if (!p) p = calloc(1, 1);
    ms_buf_init(b);
    return p;
}

bool ms_str_eq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

bool ms_str_has_prefix(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool ms_ct_eq(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)(x[i] ^ y[i]);
    return d == 0;
}

size_t ms_utf8_whole(const char *s, size_t n)
{
    /* Step back over at most 3 continuation bytes to the lead byte of the last character;
     * drop it if it announces more bytes than remain. */
    size_t i = n, back = 0;
    while (i > 0 && back < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
        i--;
        back++;
    }
    if (i == 0) return back ? 0 : n;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    if (lead < 0x80) return n - back; /* stray continuation bytes: not ours to judge */
    return back < need ? i - 1 : n;
}

bool ms_strlcpy(char *dst, const char *src, size_t size)
{
    if (!size) return false;
    size_t n = strlen(src);
    if (n >= size) {
        n = ms_utf8_whole(src, size - 1);
        memcpy(dst, src, n);
        dst[n] = '\0';
        return false;
    }
    memcpy(dst, src, n + 1);
    return true;
}

void ms_str_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z') *s = (char)(*s - 'A' + 'a');
}

bool ms_str_is_clean_text(const char *s, size_t max, bool multiline)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        unsigned char c = *p;
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) {
                if (!(multiline && (c == '\n' || c == '\t' || c == '\r'))) return false;
            }
            len = 1;
            cp = c;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        /* Overlong forms, surrogates, out of range. */
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        if (cp >= 0x80 && cp <= 0x9F) return false; /* C1 controls */
        p += len;
        n += len;
        if (n > max) return false;
    }
    return true;
}

size_t ms_b64url_encode(const uint8_t *in, size_t n, char *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
        out[o++] = tbl[v >> 6 & 63];
        out[o++] = tbl[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
        out[o++] = tbl[v >> 6 & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64url_val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

long ms_b64url_decode(const char *in, uint8_t *out, size_t outcap)
{
    size_t n = strlen(in), o = 0;
    if (n % 4 == 1) return -1;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_val(in[i]);
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= outcap) return -1;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* Leftover bits must be zero (canonical encoding only). */
    if (bits && (acc & ((1u << bits) - 1))) return -1;
    return (long)o;
}

void ms_hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = '\0';
}

bool ms_folder_normalize(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    const char *p = in ? in : "/";
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p) break;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - s);
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.') || n > 255)
            return false;
        if (o + n + 2 > cap) return false;
        out[o++] = '/';
        memcpy(out + o, s, n);
        o += n;
    }
    if (o + 2 > cap) return false;
    if (o == 0) out[o++] = '/';
    out[o] = 0;
    return true;
}
