/* test_blob.c: the blob store's local-folder backend: key rules, durable put/get/stat/delete,
 * listing (crashed writers' temp files are skipped), moving a file in, usage, and the store
 * lock (an exclusive holder excludes shared ones, across processes). */
#include "unit.h"

#include "store/blob.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static void test_keys(void **state)
{
    (void)state;
    const char *good[] = {"chunks/ab/cd/0123abcd", "derived/x/thumb.jpg", "a", "a-b_c.d", NULL};
    const char *bad[] = {"",      "/abs",  "a//b", "a/../b", "..",     ".",
                         "a/./b", "UPPER", "a b",  "tail/",  "ümlaut", NULL};
    for (int i = 0; good[i]; i++)
        assert_int_equal(blobs_key_check(good[i], NULL), 0);
    for (int i = 0; bad[i]; i++)
        assert_int_equal(blobs_key_check(bad[i], NULL), MS_EINVAL);
    char longkey[BLOB_KEY_MAX + 2];
    memset(longkey, 'a', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = 0;
    assert_int_equal(blobs_key_check(longkey, NULL), MS_EINVAL);
}

static int count_fn(void *arg, const char *key, int64_t size, int64_t mtime_ms)
{
    (void)key;
    (void)mtime_ms;
    int64_t *n = arg;
    n[0]++;
    n[1] += size;
    return 0;
}

static void test_put_get_list(void **state)
{
    (void)state;
    char *dir = unit_tmpdir();
    char url[4200];
    snprintf(url, sizeof url, "file:%s/store", dir);
    ms_blobs *b;
    ms_error e;
    assert_int_equal(blobs_open(url, &b, &e), 0);
    assert_int_equal(blobs_put(b, "chunks/aa/bb/one", "hello", 5, &e), 0);
    assert_int_equal(blobs_put(b, "chunks/aa/bc/two", "world!", 6, &e), 0);
    assert_int_equal(blobs_put(b, "chunks/aa/bb/one", "HELLO!!", 7, &e), 0); /* replaced */
    uint8_t *data;
    size_t len;
    assert_int_equal(blobs_get(b, "chunks/aa/bb/one", &data, &len, &e), 0);
    assert_int_equal(len, 7);
    assert_memory_equal(data, "HELLO!!", 7);
    free(data);
    char part[4];
    size_t got;
    assert_int_equal(blobs_read(b, "chunks/aa/bc/two", 2, part, 4, &got, &e), 0);
    assert_int_equal(got, 4);
    assert_memory_equal(part, "rld!", 4);
    assert_int_equal(blobs_get(b, "chunks/zz/none", &data, &len, &e), MS_ENOTFOUND);
    assert_int_equal(blobs_put(b, "../escape", "x", 1, &e), MS_EINVAL);
    /* A crashed writer's temp file is not an object. */
    char tmp[4400];
    snprintf(tmp, sizeof tmp, "%s/store/chunks/aa/bb/one.tmp-XYZ123", dir);
    int fd = open(tmp, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "junk", 4), 4);
    close(fd);
    int64_t n[2] = {0, 0};
    assert_int_equal(blobs_list(b, "chunks/", count_fn, n, &e), 0);
    assert_int_equal(n[0], 2);
    assert_int_equal(n[1], 13);
    blob_usage u;
    assert_int_equal(blobs_usage(b, "", &u, &e), 0);
    assert_int_equal(u.objects, 2);
    assert_true(u.free_bytes > 0);
    /* Moving a file in. */
    char src[4400];
    snprintf(src, sizeof src, "%s/incoming.bin", dir);
    fd = open(src, O_WRONLY | O_CREAT, 0600);
    assert_int_equal(write(fd, "moved", 5), 5);
    close(fd);
    assert_int_equal(blobs_put_file(b, "derived/v/proxy.mp4", src, &e), 0);
    assert_int_equal(access(src, F_OK), -1);
    int64_t size;
    assert_int_equal(blobs_stat(b, "derived/v/proxy.mp4", &size, &e), 0);
    assert_int_equal(size, 5);
    char path[4400];
    assert_non_null(blobs_local_path(b, "derived/v/proxy.mp4", path, sizeof path));
    assert_int_equal(access(path, R_OK), 0);
    assert_int_equal(blobs_delete(b, "derived/v/proxy.mp4", &e), 0);
    assert_int_equal(blobs_delete(b, "derived/v/proxy.mp4", &e), 0); /* absent is fine */
    assert_int_equal(blobs_stat(b, "derived/v/proxy.mp4", &size, &e), MS_ENOTFOUND);
    blobs_close(b);
    assert_int_equal(blobs_open("s3://bucket/x", &b, &e), MS_EINVAL);
    unit_rmdir(dir);
}

static void test_lock(void **state)
{
    (void)state;
    char *dir = unit_tmpdir();
    ms_blobs *b;
    ms_error e;
    assert_int_equal(blobs_open(dir, &b, &e), 0);
    int ex = blobs_lock(b, 1, &e);
    assert_true(ex >= 0);
    /* A child process that wants the lock shared waits until the exclusive holder lets go. */
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(ex); /* the inherited copy would hold the parent's lock for ever */
        int h = blobs_lock(b, 0, &e);
        char c = h >= 0 ? 'y' : 'n';
        if (write(pipefd[1], &c, 1) != 1) _exit(2);
        _exit(0);
    }
    struct timespec ts = {0, 200 * 1000000};
    nanosleep(&ts, NULL);
    int fl = fcntl(pipefd[0], F_GETFL);
    fcntl(pipefd[0], F_SETFL, fl | O_NONBLOCK);
    char c;
    assert_int_equal(read(pipefd[0], &c, 1), -1); /* still waiting */
    blobs_unlock(ex);
    fcntl(pipefd[0], F_SETFL, fl);
    assert_int_equal(read(pipefd[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 0);
    blobs_close(b);
    unit_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_put_get_list),
        cmocka_unit_test(test_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
