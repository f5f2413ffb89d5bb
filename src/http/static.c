/* static.c: the web UI's files, served from web_root.
 *
 * Only GET and HEAD; only regular files under web_root (no "..", no dot-files, no symlink
 * escapes: the resolved path must stay inside the resolved root). Paths without a file
 * extension that match no file get index.html, so the single-page app's own URLs
 * (/projects/...) load on a reload. Responses carry an ETag from size and modification time
 * and honour If-None-Match; they are sent from the file descriptor (sendfile). HTML gets a
 * strict Content-Security-Policy: scripts and styles only from this server. */
#include "http/http_internal.h"

#include "core/buf.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char csp[] = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
                          "style-src 'self'; script-src 'self'; connect-src 'self'; "
                          "frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (!strcmp(dot, types[i][0])) return types[i][1];
    return "application/octet-stream";
}

static bool safe_relative(const char *p)
{
    /* Segments may not be empty, ".", ".." or start with "." (hidden files). */
    if (!*p) return false;
    for (const char *s = p; *s;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || s[0] == '.') return false;
        for (size_t i = 0; i < n; i++)
            if (s[i] == '\\' || (unsigned char)s[i] < 0x20) return false;
        s += n;
        if (*s == '/') s++;
    }
    return true;
}

static int open_under(const char *root_real, const char *rel, struct stat *st)
{
    char path[PATH_MAX], real[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", root_real, rel) >= sizeof path) return -1;
    if (!realpath(path, real)) return -1;
    size_t rl = strlen(root_real);
    if (strncmp(real, root_real, rl) != 0 || real[rl] != '/') return -1;
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

struct MHD_Response *static_response(ms_server *s, const char *url, const char *if_none_match,
                                     int *status)
{
    if (!s->web_root[0]) return NULL;
    char root[PATH_MAX];
    if (!realpath(s->web_root, root)) return NULL;
    const char *rel = url[0] == '/' ? url + 1 : url;
    if (!*rel) rel = "index.html";
    struct stat st;
    int fd = -1;
    const char *served = rel;
    if (safe_relative(rel)) fd = open_under(root, rel, &st);
    if (fd < 0) {
        const char *last = strrchr(url, '/');
        if (last && !strchr(last, '.')) {
            served = "index.html";
            fd = open_under(root, served, &st);
        }
    }
    if (fd < 0) return NULL;
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st.st_mtim.tv_nsec);
    struct MHD_Response *resp;
    if (if_none_match && strstr(if_none_match, etag)) {
        close(fd);
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        *status = 304;
    } else {
        resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
        if (!resp) {
            close(fd);
            return NULL;
        }
        *status = 200;
        MHD_add_response_header(resp, "Content-Type", content_type(served));
    }
    MHD_add_response_header(resp, "ETag", etag);
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    if (!strcmp(content_type(served), "text/html; charset=utf-8")) {
        MHD_add_response_header(resp, "Content-Security-Policy", csp);
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
        MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    }
    return resp;
}
