/* chunker.c: throughput of FastCDC boundary finding and of the chunk-and-hash pipeline
 * (src/core/fastcdc.c, src/core/chunker.c) on pseudo-random data, default parameters.
 *
 *   bench_chunker [MiB]          (default 1024; the file goes to $TMPDIR or /tmp)
 *
 * Writes the data to a temporary file (so it is in the page cache), then reports the median
 * of three runs, in MB/s (10^6 bytes per second) of: boundaries alone (ms_cdc_cut over the
 * bytes in memory, one thread), BLAKE3 of the bytes in memory (one thread: the ceiling of a
 * one-thread pipeline is about half of it, since every byte is hashed twice), and the whole
 * pipeline reading the file with 1 and 2 threads. Not a test: it checks nothing but that
 * the runs agree on the content digest. */
#include "core/blake3.h"
#include "core/chunker.h"
#include "core/fastcdc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double median3(double a, double b, double c)
{
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    if (b > c) b = c;
    return a > b ? a : b;
}

static int count_chunk(void *ctx, const ms_chunk *c, ms_error *err)
{
    (void)err;
    (void)c;
    ++*(size_t *)ctx;
    return 0;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 1024;
    if (mib == 0) {
        fprintf(stderr, "usage: bench_chunker [MiB]\n");
        return 2;
    }
    size_t n = mib << 20;
    uint8_t *d = malloc(n);
    if (!d) {
        fprintf(stderr, "bench_chunker: out of memory\n");
        return 1;
    }
    uint64_t s = 42;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        memcpy(d + i, &z, 8);
    }

    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/bench-chunker-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("bench_chunker: mkstemp");
        return 1;
    }
    unlink(path);
    for (size_t at = 0; at < n;) {
        ssize_t w = write(fd, d + at, n - at);
        if (w <= 0) {
            perror("bench_chunker: write");
            return 1;
        }
        at += (size_t)w;
    }

    ms_cdc_params p = ms_cdc_default();
    double cdc[3], b3[3], pipe1[3], pipe2[3];
    size_t nchunks = 0;
    for (int r = 0; r < 3; r++) {
        double t = now();
        size_t at = 0;
        nchunks = 0;
        while (at < n) {
            at += ms_cdc_cut(&p, d + at, n - at, true);
            nchunks++;
        }
        cdc[r] = (double)n / (now() - t) / 1e6;
    }
    uint8_t whole[MS_BLAKE3_OUT_LEN];
    for (int r = 0; r < 3; r++) {
        double t = now();
        ms_blake3_hash(d, n, whole);
        b3[r] = (double)n / (now() - t) / 1e6;
    }
    free(d);

    double *out[] = {pipe1, pipe2};
    for (unsigned threads = 1; threads <= 2; threads++) {
        for (int r = 0; r < 3; r++) {
            ms_chunker_result res;
            ms_error e;
            size_t count = 0;
            lseek(fd, 0, SEEK_SET);
            double t = now();
            if (ms_chunker_fd(fd, &p, threads, count_chunk, &count, &res, &e)) {
                fprintf(stderr, "bench_chunker: %s\n", e.detail);
                return 1;
            }
            out[threads - 1][r] = (double)n / (now() - t) / 1e6;
            if (memcmp(res.digest, whole, sizeof whole) || count != nchunks) {
                fprintf(stderr, "bench_chunker: the pipeline disagrees with the reference\n");
                return 1;
            }
        }
    }
    close(fd);

    printf("data %zu MiB pseudo-random, %zu chunks (min/avg/max %u/%u/%u), medians of 3\n", mib,
           nchunks, p.min, p.avg, p.max);
    printf("blake3_mbps=%.0f (one thread, in memory)\n", median3(b3[0], b3[1], b3[2]));
    printf("chunker cdc_mbps=%.0f pipeline1_mbps=%.0f pipeline2_mbps=%.0f\n",
           median3(cdc[0], cdc[1], cdc[2]), median3(pipe1[0], pipe1[1], pipe1[2]),
           median3(pipe2[0], pipe2[1], pipe2[2]));
    return 0;
}
