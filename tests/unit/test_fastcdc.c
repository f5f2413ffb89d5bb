/* test_fastcdc.c: FastCDC boundaries (src/core/fastcdc.c) and the chunk-and-hash pipeline
 * (src/core/chunker.c).
 *
 * Boundaries: parameter validation; the gear table, masks and the cut points of a fixed
 * pseudo-random input are pinned (stored chunk lists depend on them); every chunk within
 * [min, max]; a cut never changes when more data arrives; insertions, deletions and scattered
 * modifications leave most chunks shared. Pipeline: the same chunks as the one-call
 * chunker for 1 to 4 threads (both ways of finding boundaries, the ring's wrap, degenerate
 * data), BLAKE3 digests of each chunk and of the whole, files, pipes and memory, empty and
 * tiny inputs, exact multiples, a callback that fails, a read that fails. */
#include "unit.h"

#include "core/blake3.h"
#include "core/chunker.h"
#include "core/fastcdc.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <xxhash.h>

/* ---------------------------------------------------------------------------------------
 * Inputs and chunk lists.
 * --------------------------------------------------------------------------------------- */

/* SplitMix64 bytes, little-endian: the fixed pseudo-random input of the pinned tests. */
static void fill_random(uint8_t *d, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        for (size_t k = 0; k < 8 && i + k < n; k++)
            d[i + k] = (uint8_t)(z >> (8 * k));
    }
}

/* Random stretches, zeros, a byte whose every window hits MaskL for small averages (132:
 * see test_dense_data), a short repeated pattern: what degenerate files look like. */
static uint8_t *mixed_data(size_t n, uint64_t seed)
{
    uint8_t *d = malloc(n ? n : 1);
    fill_random(d, n, seed);
    static const size_t stretch[] = {70000, 150000, 9000, 300000, 65536, 1000};
    size_t at = 0, k = 0;
    while (at < n) {
        size_t len = stretch[k % 6];
        if (len > n - at) len = n - at;
        switch (k % 4) {
        case 1:
            memset(d + at, 0, len);
            break;
        case 2:
            memset(d + at, 132, len);
            break;
        case 3:
            for (size_t i = 0; i < len; i++)
                d[at + i] = (uint8_t) "mstation"[i % 8];
            break;
        default:
            break; /* stays random */
        }
        at += len + 100000; /* random bytes between the stretches */
        k++;
    }
    return d;
}

typedef struct chunk_list {
    size_t n, cap;
    uint64_t *off;
    size_t *len;
    uint8_t (*digest)[32];
} chunk_list;

static void list_add(chunk_list *l, uint64_t off, size_t len, const uint8_t *digest)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->off = realloc(l->off, l->cap * sizeof *l->off);
        l->len = realloc(l->len, l->cap * sizeof *l->len);
        l->digest = realloc(l->digest, l->cap * sizeof *l->digest);
    }
    l->off[l->n] = off;
    l->len[l->n] = len;
    if (digest)
        memcpy(l->digest[l->n], digest, 32);
    else
        memset(l->digest[l->n], 0, 32);
    l->n++;
}

static void list_free(chunk_list *l)
{
    free(l->off);
    free(l->len);
    free(l->digest);
    memset(l, 0, sizeof *l);
}

/* The chunks of `d` by repeated ms_cdc_cut over everything that is left. */
static void cut_all(const ms_cdc_params *p, const uint8_t *d, size_t n, chunk_list *l)
{
    size_t at = 0;
    while (at < n) {
        size_t c = ms_cdc_cut(p, d + at, n - at, true);
        assert_true(c > 0 && c <= n - at);
        list_add(l, at, c, NULL);
        at += c;
    }
}

static void assert_same_cuts(const chunk_list *a, const chunk_list *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->off[i], b->off[i]);
        assert_int_equal(a->len[i], b->len[i]);
    }
}

/* Every chunk in [min, max] but the last (in (0, max]), one after the other, covering n. */
static void assert_bounds(const ms_cdc_params *p, const chunk_list *l, size_t n)
{
    uint64_t at = 0;
    for (size_t i = 0; i < l->n; i++) {
        assert_int_equal(l->off[i], at);
        assert_true(l->len[i] > 0 && l->len[i] <= p->max);
        if (i + 1 < l->n) assert_true(l->len[i] >= p->min);
        at += l->len[i];
    }
    assert_int_equal(at, n);
}

/* Bytes of `nd`'s chunks whose content is also one of `od`'s chunks. */
typedef struct key {
    uint64_t h;
    size_t len, off;
} key;

static int key_cmp(const void *a, const void *b)
{
    const key *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->len < y->len ? -1 : x->len > y->len;
}

static key *keys_of(const uint8_t *d, const chunk_list *l)
{
    key *k = malloc((l->n ? l->n : 1) * sizeof *k);
    for (size_t i = 0; i < l->n; i++)
        k[i] = (key){XXH3_64bits(d + l->off[i], l->len[i]), l->len[i], l->off[i]};
    qsort(k, l->n, sizeof *k, key_cmp);
    return k;
}

static bool has_chunk(const uint8_t *od, const key *keys, size_t nkeys, const uint8_t *p,
                      size_t len)
{
    key want = {XXH3_64bits(p, len), len, 0};
    const key *k = bsearch(&want, keys, nkeys, sizeof *keys, key_cmp);
    return k && memcmp(od + k->off, p, len) == 0;
}

static double shared_fraction(const uint8_t *od, const chunk_list *ol, const uint8_t *nd,
                              const chunk_list *nl, size_t nlen)
{
    key *keys = keys_of(od, ol);
    size_t shared = 0;
    for (size_t i = 0; i < nl->n; i++)
        if (has_chunk(od, keys, ol->n, nd + nl->off[i], nl->len[i])) shared += nl->len[i];
    free(keys);
    return (double)shared / (double)nlen;
}

static const ms_cdc_params SMALL = {.min = 8192, .avg = 32768, .max = 131072};
static const ms_cdc_params TINY = {.min = 256, .avg = 1024, .max = 4096};

/* The 64 MiB pseudo-random buffer several tests share (seed 1). */
#define BIG_LEN ((size_t)64 << 20)
static uint8_t *big;

static int group_setup(void **state)
{
    (void)state;
    big = malloc(BIG_LEN);
    fill_random(big, BIG_LEN, 1);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(big);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Boundaries.
 * --------------------------------------------------------------------------------------- */

static void test_params(void **state)
{
    (void)state;
    ms_cdc_params d = ms_cdc_default();
    assert_int_equal(d.min, 512 << 10);
    assert_int_equal(d.avg, 2 << 20);
    assert_int_equal(d.max, 8 << 20);
    assert_int_equal(ms_cdc_check(&d, NULL), 0);
    assert_int_equal(ms_cdc_check(&SMALL, NULL), 0);
    assert_int_equal(ms_cdc_check(&TINY, NULL), 0);
    ms_cdc_params least = {64, 128, 129}, most = {1u << 20, 32u << 20, 64u << 20};
    assert_int_equal(ms_cdc_check(&least, NULL), 0);
    assert_int_equal(ms_cdc_check(&most, NULL), 0);

    static const ms_cdc_params bad[] = {
        {63, 128, 1024},         /* min below the floor */
        {1024, 4096, 65u << 20}, /* max above the ceiling */
        {4096, 4096, 65536},     /* min == avg */
        {8192, 4096, 65536},     /* min > avg */
        {1024, 65536, 65536},    /* avg == max */
        {1024, 65536, 32768},    /* avg > max */
        {1024, 3000, 65536},     /* avg not a power of two */
        {0, 0, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ms_error e;
        ms_error_clear(&e);
        assert_int_equal(ms_cdc_check(&bad[i], &e), MS_EINVAL);
        assert_int_equal(e.code, MS_EINVAL);
        assert_true(strlen(e.detail) > 10);
    }
    ms_error e;
    assert_int_equal(ms_cdc_check(NULL, &e), MS_EINVAL);

    /* The pipeline refuses them too, before reading anything. */
    ms_error_clear(&e);
    assert_int_equal(ms_chunker_mem("abc", 3, &bad[2], 1, NULL, NULL, NULL, &e), MS_EINVAL);
    assert_non_null(strstr(e.detail, "min < avg < max"));
}

/* Stored chunk lists depend on these values: if this test fails, boundaries moved. */
static void test_pinned_table_and_masks(void **state)
{
    (void)state;
    const uint64_t *g = ms_cdc_gear();
    assert_true(g[0] == 0x662b8349d36e5e06ULL);
    assert_true(g[1] == 0x7a24e8e6c870317bULL);
    assert_true(g[2] == 0x1a7a5e4b93d22a04ULL);
    assert_true(g[3] == 0x786536e6f37c5febULL);
    assert_true(g[255] == 0xd448339a705bb461ULL);
    ms_cdc_params d = ms_cdc_default();
    assert_true(ms_cdc_mask_small(&d) == 0x7fffff0000000000ULL); /* 23 bits for 2 MiB */
    assert_true(ms_cdc_mask_large(&d) == 0x7ffff00000000000ULL); /* 19 bits */
    assert_true(ms_cdc_mask_small(&TINY) == 0x7ff8000000000000ULL);
    assert_true(ms_cdc_mask_large(&TINY) == 0x7f80000000000000ULL);
}

static void test_pinned_cut_points(void **state)
{
    (void)state;
    /* 1 MiB of SplitMix64(1) bytes with 8K / 32K / 128K. */
    static const uint64_t small_ends[] = {18576,  60858,  100418, 135186, 151041, 187284,
                                          220592, 266985, 280081, 294946, 332290, 376377};
    chunk_list l = {0};
    cut_all(&SMALL, big, 1 << 20, &l);
    assert_int_equal(l.n, 30);
    for (size_t i = 0; i < 12; i++)
        assert_int_equal(l.off[i] + l.len[i], small_ends[i]);
    list_free(&l);

    /* 64 MiB of the same with the defaults. */
    static const uint64_t default_ends[] = {1375064,  2769156,  5212153,  7568557,
                                            9964205,  13351099, 17303767, 20330246,
                                            22452299, 25872667, 28812137, 31514579};
    ms_cdc_params d = ms_cdc_default();
    cut_all(&d, big, BIG_LEN, &l);
    assert_int_equal(l.n, 27);
    for (size_t i = 0; i < 12; i++)
        assert_int_equal(l.off[i] + l.len[i], default_ends[i]);
    assert_bounds(&d, &l, BIG_LEN);
    list_free(&l);
}

static void test_bounds_and_determinism(void **state)
{
    (void)state;
    const ms_cdc_params least = {64, 128, 1000}, odd = {1000, 4096, 10000};
    const ms_cdc_params *params[] = {&SMALL, &TINY, &least, &odd};
    size_t n = 3 << 20;
    uint8_t *mixed = mixed_data(n, 7), *zeros = calloc(n, 1);
    const uint8_t *inputs[] = {big, mixed, zeros};
    for (size_t pi = 0; pi < 4; pi++) {
        for (size_t ii = 0; ii < 3; ii++) {
            chunk_list a = {0}, b = {0};
            cut_all(params[pi], inputs[ii], n, &a);
            cut_all(params[pi], inputs[ii], n, &b);
            assert_bounds(params[pi], &a, n);
            assert_same_cuts(&a, &b);
            list_free(&a);
            list_free(&b);
        }
    }
    /* No hit in zeros: every chunk is max long. */
    chunk_list z = {0};
    cut_all(&SMALL, zeros, n, &z);
    for (size_t i = 0; i + 1 < z.n; i++)
        assert_int_equal(z.len[i], SMALL.max);
    list_free(&z);
    free(mixed);
    free(zeros);
}

/* A cut, once returned, is final: given only a prefix of the data (eof false), ms_cdc_cut
 * answers 0 or the same cut as with all of it. */
static void test_cut_with_partial_data(void **state)
{
    (void)state;
    const uint8_t *d = big + 12345;
    size_t whole = ms_cdc_cut(&SMALL, d, 1 << 20, false);
    assert_true(whole >= SMALL.min && whole <= SMALL.max);
    for (size_t len = 0; len <= SMALL.max + 10; len += 997) {
        size_t c = ms_cdc_cut(&SMALL, d, len, false);
        if (len < whole)
            assert_int_equal(c, 0);
        else
            assert_int_equal(c, whole);
        /* At the end of the data, what is there is a chunk when nothing cuts it earlier. */
        size_t e = ms_cdc_cut(&SMALL, d, len, true);
        assert_int_equal(e, len < whole ? len : whole);
    }
    uint8_t zeros[4096] = {0};
    assert_int_equal(ms_cdc_cut(&TINY, zeros, 4096, false), 4096); /* max reached */
    assert_int_equal(ms_cdc_cut(&TINY, zeros, 4000, false), 0);
    assert_int_equal(ms_cdc_cut(&TINY, zeros, 100, true), 100);
    assert_int_equal(ms_cdc_cut(&TINY, zeros, 0, true), 0);
}

/* Bytes 132 repeated: for avg 1024 every window hits MaskL (not MaskS), so a long run of them
 * is cut at avg + 1 exactly. The pipeline meets such data with hit lists too long to keep
 * (see test_pipeline_threads). */
static void test_dense_data(void **state)
{
    (void)state;
    uint8_t run[20000];
    memset(run, 132, sizeof run);
    chunk_list l = {0};
    cut_all(&TINY, run, sizeof run, &l);
    for (size_t i = 0; i + 1 < l.n; i++)
        assert_int_equal(l.len[i], TINY.avg + 1);
    list_free(&l);
}

static void test_shift_resistance(void **state)
{
    (void)state;
    chunk_list ol = {0};
    cut_all(&SMALL, big, BIG_LEN, &ol);

    /* Insert 7 bytes in the middle, delete 5 at a third, both at once. */
    size_t nlen = BIG_LEN + 7 - 5, ins = BIG_LEN / 2, del = BIG_LEN / 3;
    uint8_t *nd = malloc(nlen);
    memcpy(nd, big, del);
    memcpy(nd + del, big + del + 5, ins - del - 5);
    memcpy(nd + ins - 5, "INSERT!", 7);
    memcpy(nd + ins + 2, big + ins, BIG_LEN - ins);
    chunk_list nl = {0};
    cut_all(&SMALL, nd, nlen, &nl);
    double shared = shared_fraction(big, &ol, nd, &nl, nlen);
    assert_true(shared >= 0.95);
    assert_true(shared >= 0.995); /* what it is: about one chunk lost per edit */
    /* Everything before the first edit is chunked exactly as before. */
    for (size_t i = 0; i < ol.n && ol.off[i] + ol.len[i] <= del; i++) {
        assert_int_equal(nl.off[i], ol.off[i]);
        assert_int_equal(nl.len[i], ol.len[i]);
    }
    list_free(&nl);
    free(nd);
    list_free(&ol);
}

static void test_scattered_modifications(void **state)
{
    (void)state;
    chunk_list ol = {0};
    cut_all(&SMALL, big, BIG_LEN, &ol);

    /* 1% of the bytes, in 8 runs spread over the file. */
    enum { RUNS = 8 };
    size_t run = BIG_LEN / 100 / RUNS, start[RUNS];
    uint8_t *nd = malloc(BIG_LEN);
    memcpy(nd, big, BIG_LEN);
    for (size_t r = 0; r < RUNS; r++) {
        start[r] = BIG_LEN / RUNS * r + BIG_LEN / 20 + r * 7919;
        for (size_t i = 0; i < run; i++)
            nd[start[r] + i] ^= 0xA5;
    }
    chunk_list nl = {0};
    cut_all(&SMALL, nd, BIG_LEN, &nl);
    assert_true(shared_fraction(big, &ol, nd, &nl, BIG_LEN) >= 0.95);

    /* Every original chunk that is clear of the runs (and of the few chunks after each run
     * that CDC takes to fall back into step) is still there. */
    key *keys = keys_of(nd, &nl);
    for (size_t i = 0; i < ol.n; i++) {
        uint64_t a = ol.off[i], b = a + ol.len[i];
        bool clear = true;
        for (size_t r = 0; r < RUNS; r++)
            if (b > start[r] && a < start[r] + run + 4 * SMALL.max) clear = false;
        if (clear) assert_true(has_chunk(nd, keys, nl.n, big + a, ol.len[i]));
    }
    free(keys);
    list_free(&nl);
    free(nd);
    list_free(&ol);
}

/* ---------------------------------------------------------------------------------------
 * The pipeline.
 * --------------------------------------------------------------------------------------- */

typedef struct collect {
    const uint8_t *src; /* the input, to check each chunk's bytes */
    chunk_list list;
    pthread_t thread;
    size_t fail_at; /* fail on this call (1-based), 0: never */
    size_t calls;
} collect;

static int on_chunk(void *ctx, const ms_chunk *c, ms_error *err)
{
    collect *k = ctx;
    k->calls++;
    assert_true(pthread_equal(pthread_self(), k->thread));
    if (k->src) assert_memory_equal(c->data, k->src + c->offset, c->len);
    list_add(&k->list, c->offset, c->len, c->digest);
    if (k->fail_at && k->calls == k->fail_at)
        return ms_fail(err, MS_ECONFLICT, NULL, "stopped at chunk %zu", k->calls);
    return 0;
}

/* What a run must give: the one-call chunker's cuts, ms_blake3_hash of each chunk and of
 * the whole. Computed once per input (BLAKE3 is slow in the sanitizer build). */
typedef struct expect {
    const ms_cdc_params *p; /* NULL: the defaults */
    const uint8_t *d;
    size_t n;
    chunk_list list;
    uint8_t whole[32];
} expect;

static void expect_init(expect *x, const ms_cdc_params *p, const uint8_t *d, size_t n)
{
    ms_cdc_params def = ms_cdc_default();
    *x = (expect){.p = p, .d = d, .n = n};
    cut_all(p ? p : &def, d, n, &x->list);
    for (size_t i = 0; i < x->list.n; i++)
        ms_blake3_hash(d + x->list.off[i], x->list.len[i], x->list.digest[i]);
    ms_blake3_hash(d, n, x->whole);
}

static void check_result(const expect *x, collect *k, const ms_chunker_result *res)
{
    assert_same_cuts(&x->list, &k->list);
    for (size_t i = 0; i < x->list.n; i++)
        assert_memory_equal(k->list.digest[i], x->list.digest[i], 32);
    assert_memory_equal(res->digest, x->whole, 32);
    assert_int_equal(res->size, x->n);
    assert_int_equal(res->nchunks, k->list.n);
    list_free(&k->list);
}

static void run_mem(const expect *x, unsigned threads)
{
    collect k = {.src = x->d, .thread = pthread_self()};
    ms_chunker_result res;
    ms_error e;
    assert_int_equal(ms_chunker_mem(x->d, x->n, x->p, threads, on_chunk, &k, &res, &e), 0);
    check_result(x, &k, &res);
}

static int write_file(const char *dir, const char *name, const uint8_t *d, size_t n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    for (size_t at = 0; at < n;) {
        ssize_t w = write(fd, d + at, n - at);
        assert_true(w > 0);
        at += (size_t)w;
    }
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static void run_fd(const expect *x, int fd, unsigned threads)
{
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    collect k = {.src = x->d, .thread = pthread_self()};
    ms_chunker_result res;
    ms_error e;
    assert_int_equal(ms_chunker_fd(fd, x->p, threads, on_chunk, &k, &res, &e), 0);
    check_result(x, &k, &res);
}

typedef struct feeder {
    int fd;
    const uint8_t *d;
    size_t n;
} feeder;

static void *feed_pipe(void *arg)
{
    feeder *f = arg;
    for (size_t at = 0; at < f->n;) {
        size_t piece = f->n - at < 40000 ? f->n - at : 40000; /* uneven pieces */
        ssize_t w = write(f->fd, f->d + at, piece);
        if (w <= 0) break;
        at += (size_t)w;
    }
    close(f->fd);
    return NULL;
}

static void run_pipe(const expect *x, unsigned threads)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    feeder f = {fds[1], x->d, x->n};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, feed_pipe, &f), 0);
    collect k = {.src = x->d, .thread = pthread_self()};
    ms_chunker_result res;
    ms_error e;
    assert_int_equal(ms_chunker_fd(fds[0], x->p, threads, on_chunk, &k, &res, &e), 0);
    pthread_join(t, NULL);
    close(fds[0]);
    check_result(x, &k, &res);
}

/* The same chunks for 1 to 4 threads: one thread and two scan the bytes in the stitcher,
 * three and four list hits in parallel; files are read through a ring that wraps many times
 * (chunks crossing its end are copied); mixed data has blocks with too many hits to list. */
static void test_pipeline_threads(void **state)
{
    (void)state;
    char *dir = unit_tmpdir();
    size_t n = (1 << 20) + 4321;
    uint8_t *d = mixed_data(n, 3);
    int fd = write_file(dir, "mixed", d, n);
    const ms_cdc_params least = {64, 128, 1000};
    expect x;
    expect_init(&x, &SMALL, d, n);
    for (unsigned t = 1; t <= 4; t++)
        run_fd(&x, fd, t);
    run_pipe(&x, 3);
    list_free(&x.list);
    expect_init(&x, &TINY, d, n);
    run_fd(&x, fd, 1);
    run_fd(&x, fd, 3);
    run_mem(&x, 4);
    list_free(&x.list);
    expect_init(&x, &least, d, n);
    run_fd(&x, fd, 2);
    run_fd(&x, fd, 4);
    list_free(&x.list);
    close(fd);
    free(d);

    /* Random data, and the defaults (a 26 MiB ring for two threads: no wrap here). */
    fd = write_file(dir, "random", big, 1 << 20);
    expect_init(&x, &SMALL, big, 1 << 20);
    run_fd(&x, fd, 1);
    run_fd(&x, fd, 4);
    list_free(&x.list);
    close(fd);
    n = (2 << 20) + 100000;
    fd = write_file(dir, "random-default", big, n);
    expect_init(&x, NULL, big, n);
    run_fd(&x, fd, 2);
    run_fd(&x, fd, 3);
    list_free(&x.list);
    close(fd);
    unit_rmdir(dir);
}

static void test_pipeline_edges(void **state)
{
    (void)state;
    char *dir = unit_tmpdir();
    ms_chunker_result res;
    ms_error e;
    expect x;

    /* Empty: no chunk, the digest of nothing. */
    int fd = write_file(dir, "empty", NULL, 0);
    collect k = {.thread = pthread_self()};
    assert_int_equal(ms_chunker_fd(fd, &SMALL, 4, on_chunk, &k, &res, &e), 0);
    assert_int_equal(k.calls, 0);
    assert_int_equal(res.size, 0);
    assert_int_equal(res.nchunks, 0);
    uint8_t none[32];
    ms_blake3_hash("", 0, none);
    assert_memory_equal(res.digest, none, 32);
    close(fd);
    assert_int_equal(ms_chunker_mem(NULL, 0, NULL, 0, NULL, NULL, &res, &e), 0);
    assert_memory_equal(res.digest, none, 32);
    expect_init(&x, &SMALL, big, 0);
    run_pipe(&x, 2);

    /* Smaller than min, and one byte: one chunk. */
    expect_init(&x, &SMALL, big, 5000);
    assert_int_equal(x.list.n, 1);
    run_mem(&x, 4);
    list_free(&x.list);
    expect_init(&x, &SMALL, big, 1);
    run_mem(&x, 1);
    list_free(&x.list);
    expect_init(&x, NULL, big, 100000);
    run_pipe(&x, 2);
    fd = write_file(dir, "small", big, 100000);
    run_fd(&x, fd, 0);
    close(fd);
    list_free(&x.list);

    /* Exact multiples: of max (zeros: every chunk is max), of the 64 KiB read block. */
    uint8_t *zeros = calloc(3 * SMALL.max, 1);
    expect_init(&x, &SMALL, zeros, 3 * SMALL.max);
    assert_int_equal(x.list.n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(x.list.len[i], SMALL.max);
    fd = write_file(dir, "zeros", zeros, 3 * SMALL.max);
    for (unsigned t = 1; t <= 3; t++)
        run_fd(&x, fd, t);
    close(fd);
    list_free(&x.list);
    free(zeros);
    expect_init(&x, &TINY, big, 6 * 65536);
    fd = write_file(dir, "blocks", big, 6 * 65536);
    for (unsigned t = 1; t <= 4; t++)
        run_fd(&x, fd, t);
    close(fd);
    run_mem(&x, 3);
    run_pipe(&x, 3);
    list_free(&x.list);

    /* Reading from where the descriptor stands. */
    fd = write_file(dir, "offset", big, 300000);
    assert_int_equal(lseek(fd, 1000, SEEK_SET), 1000);
    expect_init(&x, &TINY, big + 1000, 299000);
    collect o = {.src = big + 1000, .thread = pthread_self()};
    assert_int_equal(ms_chunker_fd(fd, &TINY, 2, on_chunk, &o, &res, &e), 0);
    check_result(&x, &o, &res);
    list_free(&x.list);
    close(fd);
    unit_rmdir(dir);
}

/* A callback's error stops the pipeline: no call after it, its code and detail returned. */
static void test_callback_error(void **state)
{
    (void)state;
    char *dir = unit_tmpdir();
    size_t n = 16 << 20;
    int fd = write_file(dir, "data", big, n);
    for (unsigned t = 1; t <= 4; t++) {
        collect k = {.src = big, .thread = pthread_self(), .fail_at = 5};
        ms_chunker_result res;
        ms_error e;
        ms_error_clear(&e);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(ms_chunker_fd(fd, &SMALL, t, on_chunk, &k, &res, &e), MS_ECONFLICT);
        assert_int_equal(k.calls, 5);
        assert_string_equal(e.detail, "stopped at chunk 5");
        assert_true(lseek(fd, 0, SEEK_CUR) < (off_t)(2 << 20)); /* it did not read on */
        list_free(&k.list);
    }
    close(fd);

    /* Failing on the last chunk, after everything else was done. */
    collect k = {.src = big, .thread = pthread_self()};
    ms_chunker_result res;
    ms_error e;
    assert_int_equal(ms_chunker_mem(big, 1 << 20, &SMALL, 2, on_chunk, &k, &res, &e), 0);
    size_t last = k.calls;
    list_free(&k.list);
    collect f = {.src = big, .thread = pthread_self(), .fail_at = last};
    assert_int_equal(ms_chunker_mem(big, 1 << 20, &SMALL, 2, on_chunk, &f, &res, &e), MS_ECONFLICT);
    list_free(&f.list);
    unit_rmdir(dir);
}

static void test_read_error(void **state)
{
    (void)state;
    char *dir = unit_tmpdir();
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    ms_error e;
    ms_error_clear(&e);
    assert_int_equal(ms_chunker_fd(fd, NULL, 2, NULL, NULL, NULL, &e), MS_EIO);
    assert_non_null(strstr(e.detail, "cannot read"));
    close(fd);
    assert_int_equal(ms_chunker_fd(-1, &SMALL, 1, NULL, NULL, NULL, &e), MS_EIO);
    unit_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_pinned_table_and_masks),
        cmocka_unit_test(test_pinned_cut_points),
        cmocka_unit_test(test_bounds_and_determinism),
        cmocka_unit_test(test_cut_with_partial_data),
        cmocka_unit_test(test_dense_data),
        cmocka_unit_test(test_shift_resistance),
        cmocka_unit_test(test_scattered_modifications),
        cmocka_unit_test(test_pipeline_threads),
        cmocka_unit_test(test_pipeline_edges),
        cmocka_unit_test(test_callback_error),
        cmocka_unit_test(test_read_error),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
