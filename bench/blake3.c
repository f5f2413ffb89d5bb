/* blake3.c: BLAKE3 throughput per implementation: hash 1 GiB held in memory (pseudo-random,
 * filled before timing) on one thread, 5 runs each, and report the median in GB/s (1e9
 * bytes per second). Checks that every implementation gives the same digest.
 *   bench_blake3 [MiB]        (default 1024)
 * The last line is for scripts:
 *   blake3 portable_gbps=X sse41_gbps=Y avx2_gbps=Z avx512_gbps=- best=IMPL best_gbps=W
 * ("-": this CPU lacks it). Not a test of correctness beyond that agreement, and not a
 * multi-threaded benchmark. */
#include "core/blake3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { RUNS = 5 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const char *const names[] = {"portable", "sse41", "avx2", "avx512"};
    enum { N = sizeof names / sizeof *names };
    size_t mib = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 1024;
    if (mib == 0) {
        fprintf(stderr, "usage: bench_blake3 [MiB]\n");
        return 2;
    }
    size_t len = mib << 20;
    uint8_t *data = malloc(len);
    if (!data) {
        fprintf(stderr, "bench_blake3: cannot allocate %zu MiB\n", mib);
        return 1;
    }
    /* xorshift64*: fast, and not something a hash could take a shortcut through. */
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i + 8 <= len; i += 8) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        uint64_t v = x * 0x2545F4914F6CDD1Du;
        memcpy(data + i, &v, 8);
    }

    double gbps[N];
    uint8_t first[MS_BLAKE3_OUT_LEN];
    int have_first = 0, best = -1;
    for (int k = 0; k < N; k++) {
        gbps[k] = -1;
        if (ms_blake3_force_impl(names[k]) != 0) {
            printf("%-8s  not available on this CPU\n", names[k]);
            continue;
        }
        double t[RUNS];
        uint8_t out[MS_BLAKE3_OUT_LEN];
        for (int r = 0; r < RUNS; r++) {
            double t0 = now();
            ms_blake3_hash(data, len, out);
            t[r] = now() - t0;
        }
        if (!have_first) {
            memcpy(first, out, sizeof first);
            have_first = 1;
        } else if (memcmp(first, out, sizeof out) != 0) {
            fprintf(stderr, "bench_blake3: %s gives a different digest\n", names[k]);
            return 1;
        }
        qsort(t, RUNS, sizeof *t, by_value);
        gbps[k] = (double)len / t[RUNS / 2] / 1e9;
        printf("%-8s  median %.3f s  %.2f GB/s  (runs %.3f .. %.3f s)\n", names[k], t[RUNS / 2],
               gbps[k], t[0], t[RUNS - 1]);
        if (best < 0 || gbps[k] > gbps[best]) best = k;
    }
    ms_blake3_force_impl(NULL);
    printf("blake3");
    for (int k = 0; k < N; k++) {
        if (gbps[k] < 0)
            printf(" %s_gbps=-", names[k]);
        else
            printf(" %s_gbps=%.2f", names[k], gbps[k]);
    }
    printf(" best=%s best_gbps=%.2f\n", names[best], gbps[best]);
    free(data);
    return 0;
}
