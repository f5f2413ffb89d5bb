/* blob_local.c: the blob store on a local folder.
 *
 * An object is a file at <root>/<key>. Writing is crash-safe: the bytes go to a temp file
 * beside the target ("<name>.tmp-XXXXXX"), which is fsync'd, renamed over the target, and
 * then the directory is fsync'd so that the rename itself survives a power cut. A crash at
 * any point leaves either the old object or the new one, plus perhaps a temp file that
 * listing skips and removes once it is a day old.
 *
 * Not a cache and not a lock manager: two writers of the same key leave one of the two
 * (identical, for content-addressed keys) objects. */
#include "store/blob_internal.h"

#include "core/buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define TEMP_MARK    ".tmp-"
#define TEMP_MAX_AGE (86400LL * 1000)

static int io_fail(ms_error *err, int e, const char *what, const char *path)
{
    if (e == ENOSPC || e == EDQUOT)
        return ms_fail(err, MS_ENOSPC, "insufficient-storage",
                       "The store is full (%s %.200s); nothing was kept.", what, path);
    return ms_fail(err, MS_EIO, "io-error", "%s %.200s: %s", what, path, strerror(e));
}

static int full_path(ms_blobs *b, const char *key, char *out, size_t cap, ms_error *err)
{
    if ((size_t)snprintf(out, cap, "%s/%s", b->root, key) >= cap)
        return ms_fail(err, MS_EINVAL, "bad-key", "blob path too long");
    return 0;
}

/* mkdir -p of the parent folders of `path` below the root. */
static int make_parents(ms_blobs *b, const char *path, ms_error *err)
{
    char tmp[1024];
    ms_strlcpy(tmp, path, sizeof tmp);
    size_t rootlen = strlen(b->root);
    for (char *p = tmp + rootlen + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0750) != 0 && errno != EEXIST) return io_fail(err, errno, "mkdir", tmp);
        *p = '/';
    }
    return 0;
}

static int fsync_parent(const char *path, ms_error *err)
{
    char dir[1024];
    ms_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (!slash) return 0;
    *slash = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_fail(err, errno, "open", dir);
    int rc = fsync(fd) ? io_fail(err, errno, "fsync", dir) : 0;
    close(fd);
    return rc;
}

static int open_temp(ms_blobs *b, const char *path, char *tmp, size_t cap, int *fd, ms_error *err)
{
    snprintf(tmp, cap, "%s" TEMP_MARK "XXXXXX", path);
    *fd = mkostemp(tmp, O_CLOEXEC);
    if (*fd < 0 && errno == ENOENT) {
        int rc = make_parents(b, path, err);
        if (rc) return rc;
        snprintf(tmp, cap, "%s" TEMP_MARK "XXXXXX", path);
        *fd = mkostemp(tmp, O_CLOEXEC);
    }
    if (*fd < 0) return io_fail(err, errno, "create", tmp);
    fchmod(*fd, 0640);
    return 0;
}

/* fsync the temp file, rename it over `path`, fsync the folder (without `sync`: only the
 * rename, which is atomic; blobs_flush makes it durable later). */
static int publish(int fd, const char *tmp, const char *path, bool sync, ms_error *err)
{
    if (sync && fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return io_fail(err, e, "fsync", tmp);
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return io_fail(err, e, "rename", tmp);
    }
    return sync ? fsync_parent(path, err) : 0;
}

static int local_put(ms_blobs *b, const char *key, const void *data, size_t len, bool sync,
                     ms_error *err)
{
    char path[1024], tmp[1100];
    int fd, rc = full_path(b, key, path, sizeof path, err);
    if (rc || (rc = open_temp(b, path, tmp, sizeof tmp, &fd, err))) return rc;
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            close(fd);
            unlink(tmp);
            return io_fail(err, e, "write", tmp);
        }
        p += n;
        left -= (size_t)n;
    }
    return publish(fd, tmp, path, sync, err);
}

static int copy_fd(int in, int out, const char *what, ms_error *err)
{
    char *buf = malloc(1 << 20);
    if (!buf) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, 1 << 20);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = io_fail(err, errno, "read", what);
            break;
        }
        if (n == 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                rc = io_fail(err, w < 0 ? errno : ENOSPC, "write", what);
                break;
            }
            off += w;
        }
        if (rc) break;
    }
    free(buf);
    return rc;
}

static int local_put_file(ms_blobs *b, const char *key, const char *src, ms_error *err)
{
    char path[1024];
    int rc = full_path(b, key, path, sizeof path, err);
    if (rc) return rc;
    int fd = open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_fail(err, errno, "open", src);
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        return io_fail(err, e, "fsync", src);
    }
    if ((rc = make_parents(b, path, err))) {
        close(fd);
        return rc;
    }
    if (rename(src, path) == 0) {
        close(fd);
        return fsync_parent(path, err);
    }
    if (errno != EXDEV) {
        int e = errno;
        close(fd);
        return io_fail(err, e, "rename", src);
    }
    /* Another file system: copy through a temp file. */
    char tmp[1100];
    int out;
    if ((rc = open_temp(b, path, tmp, sizeof tmp, &out, err))) {
        close(fd);
        return rc;
    }
    rc = copy_fd(fd, out, tmp, err);
    close(fd);
    if (rc) {
        close(out);
        unlink(tmp);
        return rc;
    }
    if ((rc = publish(out, tmp, path, true, err))) return rc;
    unlink(src);
    return 0;
}

static int local_read(ms_blobs *b, const char *key, uint64_t off, void *buf, size_t len,
                      size_t *got, ms_error *err)
{
    char path[1024];
    *got = 0;
    int rc = full_path(b, key, path, sizeof path, err);
    if (rc) return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return ms_fail(err, MS_ENOTFOUND, "blob-missing",
                           "blob %.150s is "
                           "missing from the store",
                           key);
        return io_fail(err, errno, "open", path);
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return io_fail(err, e, "read", path);
        }
        if (n == 0) break;
        done += (size_t)n;
    }
    close(fd);
    *got = done;
    return 0;
}

static int local_stat(ms_blobs *b, const char *key, int64_t *size, ms_error *err)
{
    char path[1024];
    int rc = full_path(b, key, path, sizeof path, err);
    if (rc) return rc;
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return ms_fail(err, MS_ENOTFOUND, "blob-missing",
                           "blob %.150s is "
                           "missing from the store",
                           key);
        return io_fail(err, errno, "stat", path);
    }
    *size = st.st_size;
    return 0;
}

static int local_del(ms_blobs *b, const char *key, ms_error *err)
{
    char path[1024];
    int rc = full_path(b, key, path, sizeof path, err);
    if (rc) return rc;
    if (unlink(path) != 0 && errno != ENOENT) return io_fail(err, errno, "unlink", path);
    return 0;
}

typedef struct walk {
    ms_blobs *b;
    blob_list_fn fn;
    void *arg;
    int64_t now_ms;
    ms_error *err;
} walk;

static int walk_dir(walk *w, char *key, size_t keylen, size_t cap)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%.*s", w->b->root, (int)keylen, key);
    DIR *d = opendir(path);
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR) return 0;
        return io_fail(w->err, errno, "opendir", path);
    }
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        size_t n = strlen(e->d_name);
        if (keylen + n + 2 > cap) continue;
        size_t k = keylen;
        if (k) key[k++] = '/';
        memcpy(key + k, e->d_name, n + 1);
        struct stat st;
        char p[1400];
        snprintf(p, sizeof p, "%s/%s", w->b->root, key);
        if (lstat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(w, key, k + n, cap);
        } else if (S_ISREG(st.st_mode)) {
            int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
            if (strstr(e->d_name, TEMP_MARK)) {
                if (w->now_ms - mtime > TEMP_MAX_AGE) unlink(p); /* a crashed writer's */
            } else {
                rc = w->fn(w->arg, key, st.st_size, mtime);
            }
        }
        key[keylen] = 0;
    }
    closedir(d);
    return rc;
}

static int local_list(ms_blobs *b, const char *prefix, blob_list_fn fn, void *arg, ms_error *err)
{
    char key[BLOB_KEY_MAX + 64];
    size_t n = strlen(prefix);
    while (n && prefix[n - 1] == '/')
        n--;
    if (n >= sizeof key) return ms_fail(err, MS_EINVAL, "bad-key", "prefix too long");
    memcpy(key, prefix, n);
    key[n] = 0;
    if (n && blobs_key_check(key, err)) return MS_EINVAL;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    walk w = {b, fn, arg, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, err};
    return walk_dir(&w, key, n, sizeof key);
}

static int local_flush(ms_blobs *b, ms_error *err)
{
    int fd = open(b->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_fail(err, errno, "open", b->root);
    int rc = syncfs(fd) != 0 ? io_fail(err, errno, "syncfs", b->root) : 0;
    close(fd);
    return rc;
}

static int local_sync(ms_blobs *b, const char *key, ms_error *err)
{
    char path[1024];
    int rc = full_path(b, key, path, sizeof path, err);
    if (rc) return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_fail(err, errno, "open", path);
    rc = fdatasync(fd) != 0 ? io_fail(err, errno, "fdatasync", path) : 0;
    close(fd);
    return rc ? rc : fsync_parent(path, err);
}

static int64_t local_free(ms_blobs *b)
{
    struct statvfs s;
    if (statvfs(b->root, &s) != 0) return -1;
    return (int64_t)s.f_bavail * (int64_t)s.f_frsize;
}

static const char *local_path(ms_blobs *b, const char *key, char *buf, size_t cap)
{
    return full_path(b, key, buf, cap, NULL) ? NULL : buf;
}

static void local_close(ms_blobs *b)
{
    free(b);
}

static const blob_ops local_ops = {
    .put = local_put,
    .flush = local_flush,
    .sync = local_sync,
    .put_file = local_put_file,
    .read = local_read,
    .stat = local_stat,
    .del = local_del,
    .list = local_list,
    .free_bytes = local_free,
    .local_path = local_path,
    .close = local_close,
};

int blob_local_open(const char *dir, ms_blobs **out, ms_error *err)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || n >= 500) return ms_fail(err, MS_EINVAL, "config", "blob store folder: bad path");
    ms_blobs *b = calloc(1, sizeof *b);
    if (!b) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    b->ops = &local_ops;
    snprintf(b->url, sizeof b->url, "file:%.*s", (int)n, dir);
    snprintf(b->root, sizeof b->root, "%.*s", (int)n, dir);
    if (mkdir(b->root, 0750) != 0 && errno != EEXIST) {
        int e = errno;
        free(b);
        return io_fail(err, e, "mkdir", dir);
    }
    struct stat st;
    if (stat(b->root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(b);
        return ms_fail(err, MS_EINVAL, "config", "blob store %.200s is not a folder", dir);
    }
    *out = b;
    return 0;
}
