/* test_blake3.c: BLAKE3 (src/core/blake3.c) against the published test vectors
 * (../shared/testdata/blake3/test_vectors.json: every case, in all three modes, extended
 * output included), incremental input in uneven pieces, and finalize leaving the state
 * usable. */
#include "unit.h"

#include "core/blake3.h"
#include "core/buf.h"

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

static void check_mode(ms_blake3 *h, const uint8_t *in, size_t len, const char *want)
{
    size_t n = strlen(want) / 2;
    uint8_t *out = malloc(n);
    char *got = malloc(2 * n + 1);
    ms_blake3_update(h, in, len);
    ms_blake3_finalize(h, out, n);
    hex(out, n, got);
    assert_string_equal(got, want);
    /* A 32-byte digest is the extended output's prefix. */
    ms_blake3_finalize(h, out, 32);
    hex(out, 32, got);
    assert_memory_equal(got, want, 64);
    free(out);
    free(got);
}

static void test_published_vectors(void **state)
{
    (void)state;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_published_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
