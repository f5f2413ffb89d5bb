/* mail.c: see mail.h. Headers are built only from checked values: addresses are validated
 * e-mail addresses and the subject has CR and LF removed, so no caller can inject headers.
 * Non-ASCII subjects are RFC 2047 encoded-words; the body is UTF-8 with 8bit transfer
 * encoding, lines ending in CRLF. */
#include "core/mail.h"

#include "core/buf.h"
#include "core/id.h"
#include "core/json.h"
#include "core/time.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void b64_std(ms_buf *b, const unsigned char *in, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        ms_buf_putc(b, t[v >> 18 & 63]);
        ms_buf_putc(b, t[v >> 12 & 63]);
        ms_buf_putc(b, i + 1 < n ? t[v >> 6 & 63] : '=');
        ms_buf_putc(b, i + 2 < n ? t[v & 63] : '=');
    }
}

static void put_header_text(ms_buf *b, const char *s)
{
    bool ascii = true;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p >= 0x80) ascii = false;
    if (ascii) {
        for (const char *p = s; *p; p++)
            if (*p != '\r' && *p != '\n') ms_buf_putc(b, *p);
        return;
    }
    /* Encoded-words of at most 45 input bytes each, split on UTF-8 character boundaries. */
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t take = n - i < 45 ? n - i : 45;
        while (take > 0 && i + take < n && ((unsigned char)s[i + take] & 0xC0) == 0x80)
            take--;
        if (i) ms_buf_puts(b, "\r\n ");
        ms_buf_puts(b, "=?UTF-8?B?");
        char chunk[64];
        size_t o = 0;
        for (size_t k = 0; k < take; k++)
            if (s[i + k] != '\r' && s[i + k] != '\n') chunk[o++] = s[i + k];
        b64_std(b, (const unsigned char *)chunk, o);
        ms_buf_puts(b, "?=");
        i += take;
    }
}

char *ms_mail_compose(const char *from, const char *to, const char *subject, const char *text,
                      const char *message_id, const char *date)
{
    ms_buf b;
    ms_buf_init(&b);
    ms_buf_puts(&b, "From: ");
    put_header_text(&b, from);
    ms_buf_puts(&b, "\r\nTo: ");
    ms_buf_puts(&b, to);
    ms_buf_puts(&b, "\r\nSubject: ");
    put_header_text(&b, subject);
    ms_buf_printf(&b,
                  "\r\nDate: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: 8bit\r\n\r\n",
                  date, message_id);
    for (const char *p = text; *p; p++) {
        if (*p == '\r') continue;
        if (*p == '\n')
            ms_buf_puts(&b, "\r\n");
        else
            ms_buf_putc(&b, *p);
    }
    ms_buf_puts(&b, "\r\n");
    if (b.oom) {
        ms_buf_free(&b);
        return NULL;
    }
    return ms_buf_take(&b);
}

/* The address inside "Name <addr>" (or the whole string). */
static void addr_spec(const char *from, char out[256])
{
    const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt && gt > lt + 1)
        snprintf(out, 256, "%.*s", (int)(gt - lt - 1), lt + 1);
    else
        snprintf(out, 256, "%s", from);
}

static int write_outbox(const ms_config *cfg, const char *id, const char *msg, ms_error *err)
{
    char dir[MS_CONFIG_STR + 16], tmp[MS_CONFIG_STR + 80], path[MS_CONFIG_STR + 80];
    snprintf(dir, sizeof dir, "%s/outbox", cfg->data);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return ms_fail(err, MS_EIO, NULL, "cannot create %s: %s", dir, strerror(errno));
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, id);
    snprintf(path, sizeof path, "%s/%s.eml", dir, id);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return ms_fail(err, MS_EIO, NULL, "cannot write %s: %s", tmp, strerror(errno));
    size_t n = strlen(msg), off = 0;
    while (off < n) {
        ssize_t w = write(fd, msg + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            close(fd);
            unlink(tmp);
            return ms_fail(err, MS_EIO, NULL, "cannot write %s: %s", tmp, strerror(errno));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return ms_fail(err, MS_EIO, NULL, "cannot store %s: %s", path, strerror(errno));
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

typedef struct reader {
    const char *p;
    size_t left;
} reader;

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
    reader *r = arg;
    size_t n = size * nmemb < r->left ? size * nmemb : r->left;
    memcpy(buf, r->p, n);
    r->p += n;
    r->left -= n;
    return n;
}

static int send_smtp(const ms_config *cfg, const char *to, const char *msg, ms_error *err)
{
    CURL *curl = curl_easy_init();
    if (!curl) return ms_fail(err, MS_ENOMEM, NULL, "cannot start libcurl");
    char from[256];
    addr_spec(cfg->mail_from, from);
    char rcpt[300];
    snprintf(rcpt, sizeof rcpt, "<%s>", to);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    char fromb[300];
    snprintf(fromb, sizeof fromb, "<%s>", from);
    reader r = {msg, strlen(msg)};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, fromb);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(curl, CURLOPT_READDATA, &r);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK)
        return ms_fail(err, MS_EIO, "mail-failed", "SMTP delivery to %s failed: %s", to,
                       errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return 0;
}

int ms_mail_send(const ms_config *cfg, const char *to, const char *subject, const char *text,
                 ms_error *err)
{
    if (!to || !ms_email_valid(to))
        return ms_fail(err, MS_EINVAL, NULL, "not an e-mail address: %s", to ? to : "(none)");
    char id[MS_ID_LEN], msgid[MS_ID_LEN + 64], from_addr[256];
    ms_uuid7(id);
    addr_spec(cfg->mail_from, from_addr);
    const char *at = strchr(from_addr, '@');
    snprintf(msgid, sizeof msgid, "%s@%s", id, at ? at + 1 : "mstation");
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    char *msg =
        ms_mail_compose(cfg->mail_from, to, subject ? subject : "", text ? text : "", msgid, date);
    if (!msg) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    int rc = cfg->smtp_url[0] ? send_smtp(cfg, to, msg, err) : write_outbox(cfg, id, msg, err);
    free(msg);
    return rc;
}
