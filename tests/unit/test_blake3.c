/* test_blake3.c: BLAKE3 (src/core/blake3*.c) against the published test vectors
 * (../shared/testdata/blake3/test_vectors.json: every case, in all three modes, extended
 * output included) under every implementation this CPU can run (portable, SSE4.1, AVX2,
 * AVX-512: one that the CPU lacks is reported as skipped), random cross-checks of each SIMD
 * implementation against the portable one around chunk and subtree boundaries, in one call
 * and in pieces split at random points, incremental input in uneven pieces, finalize leaving
 * the state usable, and the choice of implementation (MS_BLAKE3_IMPL). Not a benchmark:
 * bench/blake3.c is. */
#include "unit.h"

#include "core/blake3.h"
#include "core/error.h"

#include <jansson.h>

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = 0;
}

static void test_empty_input(void **state)
{
    (void)state;
    uint8_t out[32];
    char text[65];
    ms_blake3_hash("", 0, out);
    hex(out, 32, text);
    assert_string_equal(text, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
}

/* Hash `in` in pieces of the given sizes (cycled), compare with the one-call result. */
static void check_pieces(const uint8_t *in, size_t len, const size_t *sizes, size_t nsizes)
{
    uint8_t whole[64], pieces[64];
    ms_blake3 h;
    ms_blake3_init(&h);
    ms_blake3_update(&h, in, len);
    ms_blake3_finalize(&h, whole, sizeof whole);
    ms_blake3_init(&h);
    size_t at = 0;
    for (size_t k = 0; at < len; k++) {
        size_t n = sizes[k % nsizes];
        if (n > len - at) n = len - at;
        ms_blake3_update(&h, in + at, n);
        at += n;
    }
    ms_blake3_finalize(&h, pieces, sizeof pieces);
    assert_memory_equal(whole, pieces, sizeof whole);
}

static void test_incremental(void **state)
{
    (void)state;
    size_t len = 9 * 1024 + 77;
    uint8_t *in = malloc(len);
    for (size_t i = 0; i < len; i++)
        in[i] = (uint8_t)(i * 7 + 3);
    static const size_t a[] = {1}, b[] = {63, 64, 65}, c[] = {1023, 1, 1024, 1025}, d[] = {4096};
    check_pieces(in, len, a, 1);
    check_pieces(in, len, b, 3);
    check_pieces(in, len, c, 4);
    check_pieces(in, len, d, 1);
    /* Finalize does not consume the state: more input may follow. */
    ms_blake3 h;
    uint8_t first[32], again[32], longer[32], direct[32];
    ms_blake3_init(&h);
    ms_blake3_update(&h, in, 2048);
    ms_blake3_finalize(&h, first, 32);
    ms_blake3_finalize(&h, again, 32);
    assert_memory_equal(first, again, 32);
    ms_blake3_update(&h, in + 2048, 5000);
    ms_blake3_finalize(&h, longer, 32);
    ms_blake3_hash(in, 7048, direct);
    assert_memory_equal(longer, direct, 32);
    free(in);
}

/* A small deterministic generator (xorshift64*): the same "random" cases on every run. */
static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545F4914F6CDD1Du;
}

static size_t rng_below(uint64_t *x, size_t n)
{
    return n ? (size_t)(rng_next(x) % n) : 0;
}

/* Feed `in` to `h` in pieces cut at random points: mostly small, some up to 4 chunks, some
 * up to 64 (so that both the chunk-by-chunk and the subtree paths meet every alignment). */
static void update_in_pieces(ms_blake3 *h, const uint8_t *in, size_t len, uint64_t *rng)
{
    size_t at = 0;
    while (at < len) {
        size_t max;
        switch (rng_below(rng, 4)) {
        case 0:
            max = 70;
            break;
        case 1:
            max = 1100;
            break;
        case 2:
            max = 4 * 1024 + 3;
            break;
        default:
            max = 64 * 1024 + 5;
            break;
        }
        size_t n = 1 + rng_below(rng, max);
        if (n > len - at) n = len - at;
        ms_blake3_update(h, in + at, n);
        at += n;
    }
}

/* `h` freshly initialized in some mode: in one update, then (a copy of the fresh state) in
 * random pieces, the output must be `want` (hex, any length). */
static void check_mode(ms_blake3 *h, const uint8_t *in, size_t len, const char *want)
{
    size_t n = strlen(want) / 2;
    uint8_t *out = malloc(n);
    char *got = malloc(2 * n + 1);
    ms_blake3 fresh = *h;
    ms_blake3_update(h, in, len);
    ms_blake3_finalize(h, out, n);
    hex(out, n, got);
    assert_string_equal(got, want);
    /* A 32-byte digest is the extended output's prefix. */
    ms_blake3_finalize(h, out, 32);
    hex(out, 32, got);
    assert_memory_equal(got, want, 64);
    uint64_t rng = 0x5EED0000u + len;
    update_in_pieces(&fresh, in, len, &rng);
    ms_blake3_finalize(&fresh, out, n);
    hex(out, n, got);
    assert_string_equal(got, want);
    free(out);
    free(got);
}

static const char *const IMPLS[] = {"portable", "sse41", "avx2", "avx512"};

/* Use implementation `name` for the rest of the test (the teardown goes back to automatic),
 * or skip the test when this CPU lacks its instructions. */
static void use_impl(const char *name)
{
    int rc = ms_blake3_force_impl(name);
    if (rc == MS_ENOTFOUND) {
        print_message("%s: this CPU lacks the instructions, not tested here\n", name);
        skip();
    }
    assert_int_equal(rc, 0);
    assert_string_equal(ms_blake3_impl(), name);
}

static int automatic_impl(void **state)
{
    (void)state;
    return ms_blake3_force_impl(NULL);
}

static void test_published_vectors(void **state)
{
    use_impl(*state);
    const char *src = getenv("MS_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/../shared/testdata/blake3/test_vectors.json", src ? src : ".");
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc) {
        /* The vectors live beside the repository, not in it (no third-party files here). */
        print_message("test vectors not found at %s: skipped\n", path);
        skip();
    }
    const char *key = json_string_value(json_object_get(doc, "key"));
    const char *context = json_string_value(json_object_get(doc, "context_string"));
    assert_non_null(key);
    assert_int_equal(strlen(key), 32);
    assert_non_null(context);
    json_t *cases = json_object_get(doc, "cases");
    assert_true(json_array_size(cases) >= 30);
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c)
    {
        size_t len = (size_t)json_integer_value(json_object_get(c, "input_len"));
        uint8_t *in = malloc(len ? len : 1);
        for (size_t k = 0; k < len; k++)
            in[k] = (uint8_t)(k % 251);
        ms_blake3 h;
        ms_blake3_init(&h);
        check_mode(&h, in, len, json_string_value(json_object_get(c, "hash")));
        ms_blake3_init_keyed(&h, (const uint8_t *)key);
        check_mode(&h, in, len, json_string_value(json_object_get(c, "keyed_hash")));
        ms_blake3_init_derive_key(&h, context);
        check_mode(&h, in, len, json_string_value(json_object_get(c, "derive_key")));
        free(in);
    }
    json_decref(doc);
}

/* Initialize `h` in mode 0 (hash), 1 (keyed) or 2 (derive key). */
static void init_mode(ms_blake3 *h, int mode)
{
    static const uint8_t key[MS_BLAKE3_KEY_LEN] = "whats the Elvish word for friend";
    if (mode == 0) ms_blake3_init(h);
    if (mode == 1) ms_blake3_init_keyed(h, key);
    if (mode == 2) ms_blake3_init_derive_key(h, "mstation 2024-01-01 test_blake3 cross-check");
}

/* The output (out_len bytes) of `in` under implementation `impl`, in one update or, when
 * `rng` is given, in random pieces. */
static void digest_with(const char *impl, int mode, const uint8_t *in, size_t len, uint64_t *rng,
                        uint8_t *out, size_t out_len)
{
    assert_int_equal(ms_blake3_force_impl(impl), 0);
    ms_blake3 h;
    init_mode(&h, mode);
    if (rng)
        update_in_pieces(&h, in, len, rng);
    else
        ms_blake3_update(&h, in, len);
    ms_blake3_finalize(&h, out, out_len);
}

static uint8_t *random_bytes(size_t len, uint64_t seed)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(rng_next(&seed) >> 56);
    return p;
}

/* `impl` against the portable code for one input, in one update and in random pieces. */
static void cross_check(const char *impl, const uint8_t *in, size_t len, int mode, size_t out_len,
                        uint64_t *rng)
{
    uint8_t want[320], got[320];
    assert_true(out_len <= sizeof want);
    digest_with("portable", mode, in, len, NULL, want, out_len);
    if (strcmp(impl, "portable") != 0) {
        digest_with(impl, mode, in, len, NULL, got, out_len);
        if (memcmp(want, got, out_len) != 0)
            fail_msg("%s differs, length %zu mode %d", impl, len, mode);
    }
    digest_with(impl, mode, in, len, rng, got, out_len);
    if (memcmp(want, got, out_len) != 0)
        fail_msg("%s differs in pieces, length %zu mode %d", impl, len, mode);
}

/* Lengths around block, chunk and subtree boundaries up to 20 KiB, and random ones. (Sparse
 * enough to stay quick in the unoptimized sanitizer build.) */
static void test_cross_lengths(void **state)
{
    const char *impl = *state;
    use_impl(impl);
    size_t max = 20 * 1024 + 100;
    uint8_t *in = random_bytes(max, 1);
    uint64_t rng = 42;
    for (size_t len = 0; len <= 130; len++)
        cross_check(impl, in, len, (int)(len % 3), 32, &rng);
    for (size_t len = 191; len <= 1100; len += 64)
        for (size_t d = 0; d < 3; d++)
            cross_check(impl, in, len + d, (int)(d % 3), 32, &rng);
    for (size_t k = 2; k <= 20; k++) {
        static const int around[] = {-65, -64, -1, 0, 1, 63, 64};
        for (size_t i = 0; i < sizeof around / sizeof *around; i++)
            cross_check(impl, in, (size_t)((int)(k * 1024) + around[i]), (int)((k + i) % 3), 32,
                        &rng);
    }
    for (int i = 0; i < 60; i++) {
        size_t len = rng_below(&rng, max + 1);
        cross_check(impl, in, len, (int)rng_below(&rng, 3), 1 + rng_below(&rng, 320), &rng);
    }
    free(in);
}

/* Large inputs: 1 MiB and odd lengths around it, where whole subtrees of many chunks are
 * hashed at once and then merged with each other. */
static void test_cross_large(void **state)
{
    const char *impl = *state;
    use_impl(impl);
    static const size_t lens[] = {(1 << 20) + 1, (1 << 20) - 1, (1 << 20) + 1025, (1 << 20) + 12345,
                                  (1 << 17) * 3 + 7};
    size_t max = (1 << 20) + 12345 + 3;
    uint8_t *in = random_bytes(max, 2);
    uint64_t rng = 7;
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
        cross_check(impl, in, lens[i], (int)(i % 3), 1 + rng_below(&rng, 320), &rng);
    /* An input that does not start at an aligned address, exactly 1 MiB long. */
    cross_check(impl, in + 3, 1 << 20, 0, 32, &rng);
    free(in);
}

static void test_choosing_impl(void **state)
{
    (void)state;
    const char *best = ms_blake3_impl();
    assert_int_equal(ms_blake3_force_impl("neon"), MS_EINVAL);
    assert_string_equal(ms_blake3_impl(), best);
    /* The environment variable may lower the choice, never raise it past the CPU, and a
     * name it does not know changes nothing. */
    setenv("MS_BLAKE3_IMPL", "portable", 1);
    assert_int_equal(ms_blake3_force_impl(NULL), 0);
    assert_string_equal(ms_blake3_impl(), "portable");
    setenv("MS_BLAKE3_IMPL", "avx512", 1);
    assert_int_equal(ms_blake3_force_impl(NULL), 0);
    assert_string_equal(ms_blake3_impl(), best);
    setenv("MS_BLAKE3_IMPL", "fastest", 1);
    assert_int_equal(ms_blake3_force_impl(NULL), 0);
    assert_string_equal(ms_blake3_impl(), best);
    unsetenv("MS_BLAKE3_IMPL");
    assert_int_equal(ms_blake3_force_impl(NULL), 0);
    assert_string_equal(ms_blake3_impl(), best);
    /* The best is at least what the CPU's flags promise; each lower one can be forced. */
    int found = 0;
    for (size_t i = 0; i < sizeof IMPLS / sizeof *IMPLS; i++) {
        if (strcmp(IMPLS[i], best) == 0) found = 1;
        assert_int_equal(ms_blake3_force_impl(IMPLS[i]),
                         found && strcmp(IMPLS[i], best) ? MS_ENOTFOUND : 0);
    }
    assert_true(found);
    assert_int_equal(ms_blake3_force_impl(NULL), 0);
    print_message("best implementation here: %s\n", best);
}

/* One test per implementation, named after it; the teardown goes back to automatic. */
#define PER_IMPL(f, impl)                                                                          \
    {                                                                                              \
#f "/" impl, f, NULL, automatic_impl, (void *)impl                                         \
    }
#define ALL_IMPLS(f)                                                                               \
    PER_IMPL(f, "portable"), PER_IMPL(f, "sse41"), PER_IMPL(f, "avx2"), PER_IMPL(f, "avx512")

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_incremental),
        ALL_IMPLS(test_published_vectors),
        ALL_IMPLS(test_cross_lengths),
        ALL_IMPLS(test_cross_large),
        cmocka_unit_test_teardown(test_choosing_impl, automatic_impl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
