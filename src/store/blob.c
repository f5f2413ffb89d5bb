/* blob.c: the blob store's front: URL dispatch, key rules and the calls every backend shares.
 * The local-folder backend is blob_local.c. */
#include "store/blob_internal.h"

#include "core/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int blobs_open(const char *url, ms_blobs **out, ms_error *err)
{
    *out = NULL;
    if (!url || !*url) return ms_fail(err, MS_EINVAL, "config", "the blob store URL is empty");
    if (!strncmp(url, "file:", 5)) return blob_local_open(url + 5, out, err);
    if (strstr(url, "://"))
        return ms_fail(err, MS_EINVAL, "config",
                       "blob store \"%.200s\": only file:DIR is supported in this version", url);
    return blob_local_open(url, out, err);
}

void blobs_close(ms_blobs *b)
{
    if (b) b->ops->close(b);
}

const char *blobs_url(const ms_blobs *b)
{
    return b->url;
}

int blobs_key_check(const char *key, ms_error *err)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > BLOB_KEY_MAX)
        return ms_fail(err, MS_EINVAL, "bad-key", "a blob key has 1 to %d characters",
                       BLOB_KEY_MAX);
    size_t seg = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = key[i];
        if (c == '/' || c == 0) {
            if (seg == 0 || (seg == 1 && key[i - 1] == '.') ||
                (seg == 2 && key[i - 1] == '.' && key[i - 2] == '.'))
                return ms_fail(err, MS_EINVAL, "bad-key",
                               "blob key \"%.100s\" has an empty, "
                               "\".\" or \"..\" segment",
                               key);
            seg = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return ms_fail(err, MS_EINVAL, "bad-key",
                           "blob key \"%.100s\" may hold only a-z 0-9 . _ - and /", key);
        seg++;
    }
    return 0;
}

int blobs_put(ms_blobs *b, const char *key, const void *data, size_t len, ms_error *err)
{
    int rc = blobs_key_check(key, err);
    return rc ? rc : b->ops->put(b, key, data, len, true, err);
}

int blobs_put_nosync(ms_blobs *b, const char *key, const void *data, size_t len, ms_error *err)
{
    int rc = blobs_key_check(key, err);
    return rc ? rc : b->ops->put(b, key, data, len, false, err);
}

int blobs_sync(ms_blobs *b, const char *key, ms_error *err)
{
    int rc = blobs_key_check(key, err);
    return rc ? rc : b->ops->sync(b, key, err);
}

int blobs_flush(ms_blobs *b, ms_error *err)
{
    return b->ops->flush(b, err);
}

int blobs_put_file(ms_blobs *b, const char *key, const char *path, ms_error *err)
{
    int rc = blobs_key_check(key, err);
    return rc ? rc : b->ops->put_file(b, key, path, err);
}

int blobs_read(ms_blobs *b, const char *key, uint64_t offset, void *buf, size_t len, size_t *got,
               ms_error *err)
{
    int rc = blobs_key_check(key, err);
    return rc ? rc : b->ops->read(b, key, offset, buf, len, got, err);
}

int blobs_stat(ms_blobs *b, const char *key, int64_t *size, ms_error *err)
{
    int rc = blobs_key_check(key, err);
    return rc ? rc : b->ops->stat(b, key, size, err);
}

int blobs_get(ms_blobs *b, const char *key, uint8_t **data, size_t *len, ms_error *err)
{
    *data = NULL;
    *len = 0;
    int64_t size;
    int rc = blobs_stat(b, key, &size, err);
    if (rc) return rc;
    uint8_t *p = malloc(size ? (size_t)size : 1);
    if (!p) return ms_fail(err, MS_ENOMEM, NULL, "out of memory reading blob %.100s", key);
    size_t got = 0;
    rc = b->ops->read(b, key, 0, p, (size_t)size, &got, err);
    if (!rc && got != (size_t)size)
        rc = ms_fail(err, MS_EIO, "blob-changed", "blob %.100s changed size while read", key);
    if (rc) {
        free(p);
        return rc;
    }
    *data = p;
    *len = got;
    return 0;
}

int blobs_delete(ms_blobs *b, const char *key, ms_error *err)
{
    int rc = blobs_key_check(key, err);
    return rc ? rc : b->ops->del(b, key, err);
}

int blobs_list(ms_blobs *b, const char *prefix, blob_list_fn fn, void *arg, ms_error *err)
{
    return b->ops->list(b, prefix ? prefix : "", fn, arg, err);
}

static int count_object(void *arg, const char *key, int64_t size, int64_t mtime_ms)
{
    blob_usage *u = arg;
    (void)key;
    (void)mtime_ms;
    u->objects++;
    u->bytes += size;
    return 0;
}

int blobs_usage(ms_blobs *b, const char *prefix, blob_usage *out, ms_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = blobs_list(b, prefix, count_object, out, err);
    out->free_bytes = b->ops->free_bytes(b);
    return rc;
}

int blobs_lock(ms_blobs *b, int exclusive, ms_error *err)
{
    char path[600];
    snprintf(path, sizeof path, "%s/.lock", b->root);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return ms_fail(err, MS_EIO, "io-error", "open %.200s: %s", path, strerror(errno));
    while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
        if (errno == EINTR) continue;
        int e = errno;
        close(fd);
        return ms_fail(err, MS_EIO, "io-error", "lock %.200s: %s", path, strerror(e));
    }
    return fd;
}

void blobs_unlock(int handle)
{
    if (handle >= 0) close(handle); /* closing the descriptor releases the flock */
}

const char *blobs_local_path(ms_blobs *b, const char *key, char *buf, size_t cap)
{
    if (blobs_key_check(key, NULL)) return NULL;
    return b->ops->local_path ? b->ops->local_path(b, key, buf, cap) : NULL;
}
