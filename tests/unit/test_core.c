/* test_core.c: unit tests of src/core: buffers and encodings, time, ids, configuration,
 * JSON checking and the small validators. */
#include "unit.h"

#include "core/api.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/id.h"
#include "core/json.h"
#include "core/mail.h"
#include "core/seal.h"
#include "core/time.h"

static void test_json_string_escaping(void **state)
{
    (void)state;
    ms_buf b;
    ms_buf_init(&b);
    ms_buf_put_json_str(&b, "a\"b\\c\n\t\x01 上海 \xe2\x80\xa8");
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001 上海 \\u2028\"");
    /* What we write, jansson reads back identically. */
    json_error_t je;
    json_t *j = json_loads(b.data, JSON_DECODE_ANY, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(j), "a\"b\\c\n\t\x01 上海 \xe2\x80\xa8");
    json_decref(j);
    ms_buf_free(&b);
}

static void test_buf_growth_and_printf(void **state)
{
    (void)state;
    ms_buf b;
    ms_buf_init(&b);
    for (int i = 0; i < 10000; i++)
        ms_buf_printf(&b, "%d,", i);
    assert_false(b.oom);
    assert_int_equal(strncmp(b.data, "0,1,2,", 6), 0);
    assert_int_equal(b.data[b.len], '\0');
    ms_buf_reset(&b);
    ms_buf_put_i64(&b, INT64_MIN);
    assert_string_equal(b.data, "-9223372036854775808");
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    ms_buf_reset(&b);
    ms_buf_printf(&b, "<%s>", big);
    assert_int_equal(b.len, 601);
    ms_buf_free(&b);
}

static void test_b64url_round_trip(void **state)
{
    (void)state;
    for (size_t n = 0; n < 70; n++) {
        uint8_t in[70], out[70];
        for (size_t i = 0; i < n; i++)
            in[i] = (uint8_t)(i * 37 + n);
        char enc[100];
        ms_b64url_encode(in, n, enc);
        assert_null(strchr(enc, '='));
        long m = ms_b64url_decode(enc, out, sizeof out);
        assert_int_equal(m, (long)n);
        assert_memory_equal(in, out, n);
    }
    uint8_t out[8];
    assert_int_equal(ms_b64url_decode("a+b/", out, sizeof out), -1); /* not url alphabet */
    assert_int_equal(ms_b64url_decode("a", out, sizeof out), -1);    /* impossible length */
    assert_int_equal(ms_b64url_decode("AB", out, sizeof out), -1);   /* non-canonical tail */
}

static void test_clean_text(void **state)
{
    (void)state;
    assert_true(ms_str_is_clean_text("Hong Kong Films 香港電影", 100, false));
    assert_false(ms_str_is_clean_text("a\nb", 100, false));
    assert_true(ms_str_is_clean_text("a\nb\tc", 100, true));
    assert_false(ms_str_is_clean_text("\xc0\xaf", 100, false));         /* overlong '/' */
    assert_false(ms_str_is_clean_text("\xed\xa0\x80", 100, false));     /* surrogate */
    assert_false(ms_str_is_clean_text("\xf4\x90\x80\x80", 100, false)); /* > U+10FFFF */
    assert_false(ms_str_is_clean_text("\xc2\x85", 100, false));         /* C1 control */
    assert_false(ms_str_is_clean_text("abc", 2, false));
    assert_int_equal(ms_utf8_chars("上海影业"), 4);
}

static void test_utf8_safe_truncation(void **state)
{
    (void)state;
    const char *s = "a上海"; /* 1 + 3 + 3 bytes */
    for (size_t n = 0; n <= 7; n++) {
        size_t want = n < 1 ? 0 : n < 4 ? 1 : n < 7 ? 4 : 7;
        assert_int_equal(ms_utf8_whole(s, n), want);
    }
    assert_int_equal(ms_utf8_whole("\xf0\x9f\x8e\xac", 3), 0); /* an emoji cut short */
    assert_int_equal(ms_utf8_whole("\xf0\x9f\x8e\xac", 4), 4);
    char out[6];
    assert_false(ms_strlcpy(out, "ab上海", sizeof out)); /* room for 5 bytes: "ab" + 3 */
    assert_string_equal(out, "ab上");
    assert_false(ms_strlcpy(out, "abc上海", sizeof out));
    assert_string_equal(out, "abc");
    assert_true(ms_strlcpy(out, "上", sizeof out));
}

static void test_time_format_and_parse(void **state)
{
    (void)state;
    char s[MS_TIME_LEN];
    ms_time_fmt(0, s);
    assert_string_equal(s, "1970-01-01T00:00:00.000Z");
    ms_time_fmt(951782400123LL, s); /* leap day 2000 */
    assert_string_equal(s, "2000-02-29T00:00:00.123Z");
    ms_time_fmt(-1, s);
    assert_string_equal(s, "1969-12-31T23:59:59.999Z");
    int64_t t;
    assert_true(ms_time_parse("2000-02-29T00:00:00.123Z", &t));
    assert_int_equal(t, 951782400123LL);
    assert_true(ms_time_parse("2026-11-22T16:30:00+08:00", &t));
    ms_time_fmt(t, s);
    assert_string_equal(s, "2026-11-22T08:30:00.000Z");
    assert_true(ms_time_parse("2026-11-22T08:30:00.123456789Z", &t));
    assert_int_equal(t % 1000, 123);
    assert_true(ms_time_parse("2016-12-31T23:59:60Z", &t));  /* leap second, folded */
    assert_false(ms_time_parse("2026-02-29T00:00:00Z", &t)); /* not a leap year */
    assert_false(ms_time_parse("2026-13-01T00:00:00Z", &t));
    assert_false(ms_time_parse("2026-11-22 08:30:00Z", &t));
    assert_false(ms_time_parse("2026-11-22T08:30:00", &t)); /* no offset */
    assert_false(ms_time_parse("2026-11-22T24:00:00Z", &t));
    assert_false(ms_time_parse("2026-11-22T08:30:00Zjunk", &t));
    assert_false(ms_time_parse("", &t));
    /* Offsets that push the instant out of 0001-9999 (found by fuzz_request). */
    assert_false(ms_time_parse("9999-12-31T23:59:60.999999-23:59", &t));
    assert_false(ms_time_parse("0001-01-01T00:00:00+00:01", &t));
    assert_true(ms_time_parse("9999-12-31T23:59:59.999Z", &t));
    assert_true(ms_time_parse("0001-01-01T00:00:00Z", &t));
    /* Round trip across a range of values. */
    for (int64_t v = -86400000LL * 800; v < 86400000LL * 365 * 60; v += 86400000LL * 37 + 12345) {
        ms_time_fmt(v, s);
        assert_true(ms_time_parse(s, &t));
        assert_int_equal(t, v);
    }
}

static void test_uuid7(void **state)
{
    (void)state;
    char prev[MS_ID_LEN] = "", id[MS_ID_LEN];
    for (int i = 0; i < 20000; i++) {
        ms_uuid7(id);
        assert_true(ms_uuid_valid(id));
        assert_int_equal(id[14], '7');           /* version */
        assert_non_null(strchr("89ab", id[19])); /* variant 10xx */
        assert_true(strcmp(prev, id) < 0);       /* strictly increasing */
        memcpy(prev, id, sizeof id);
    }
    /* The clock going backwards does not break the order. */
    ms_uuid7_at(1000, id);
    assert_true(strcmp(prev, id) < 0);
    assert_false(ms_uuid_valid("01234567-89AB-7DEF-8123-456789abcdef")); /* upper case */
    assert_false(ms_uuid_valid("0123456789ab-7def-8123-456789abcdef0"));
    assert_false(ms_uuid_valid(NULL));
}

static void test_config_parsers(void **state)
{
    (void)state;
    int64_t v;
    assert_true(ms_parse_size("1MiB", &v));
    assert_int_equal(v, 1048576);
    assert_true(ms_parse_size("512KiB", &v));
    assert_int_equal(v, 524288);
    assert_true(ms_parse_size("2GB", &v));
    assert_int_equal(v, 2000000000);
    assert_false(ms_parse_size("-1", &v));
    assert_false(ms_parse_size("1XB", &v));
    assert_false(ms_parse_size("99999999999999999999", &v));
    assert_true(ms_parse_duration("15m", &v));
    assert_int_equal(v, 900);
    assert_true(ms_parse_duration("14d", &v));
    assert_int_equal(v, 14 * 86400);
    assert_false(ms_parse_duration("1w", &v));
    bool b;
    assert_true(ms_parse_bool("on", &b) && b);
    assert_true(ms_parse_bool("false", &b) && !b);
    assert_false(ms_parse_bool("maybe", &b));
}

static void test_config_precedence(void **state)
{
    (void)state;
    char *dir = unit_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/mstation.conf", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "# comment\nlisten = 127.0.0.1:1111\nmax_body = \"2MiB\"\nthreads = 3\n");
    fclose(f);
    char env_data[4300];
    snprintf(env_data, sizeof env_data, "MSTATION_DATA=%s", dir);
    char *envp[] = {env_data, "MSTATION_THREADS=5", "MSTATION_UNRELATED=x", "HOME=/root", NULL};
    const char *flags[] = {"threads", "7", NULL};
    ms_config c;
    ms_error e;
    ms_error_clear(&e);
    assert_int_equal(ms_config_load(&c, flags, envp, &e), 0);
    assert_string_equal(c.listen, "127.0.0.1:1111"); /* file */
    assert_int_equal(c.max_body, 2 * 1048576);       /* file */
    assert_int_equal(c.threads, 7);                  /* flag beats env beats file */
    assert_string_equal(c.config, path);
    char want[4300];
    snprintf(want, sizeof want, "sqlite:%s/mstation.db", dir);
    assert_string_equal(c.database, want);
    assert_string_equal(c.public_url, "http://127.0.0.1:1111");

    /* Errors name the source and the line. */
    f = fopen(path, "w");
    fprintf(f, "listen = 127.0.0.1:1\nmax_body = lots\n");
    fclose(f);
    assert_int_equal(ms_config_load(&c, NULL, envp, &e), MS_EINVAL);
    assert_non_null(strstr(e.detail, "mstation.conf:2"));
    assert_non_null(strstr(e.detail, "max_body"));
    f = fopen(path, "w");
    fprintf(f, "nosuchkey = 1\n");
    fclose(f);
    assert_int_equal(ms_config_load(&c, NULL, envp, &e), MS_EINVAL);
    assert_non_null(strstr(e.detail, "unknown setting"));
    unit_rmdir(dir);
}

static const char *const kinds[] = {"studio", "school", NULL};
static const ms_jfield shape[] = {
    {"name", MS_J_STRING, true, false, 1, 5, NULL},
    {"kind", MS_J_ENUM, true, false, 0, 0, kinds},
    {"n", MS_J_INT, false, false, 1, 10, NULL},
    {"flag", MS_J_BOOL, false, false, 0, 0, NULL},
    {"email", MS_J_EMAIL, false, false, 0, 0, NULL},
    {"when", MS_J_TIME, false, true, 0, 0, NULL},
    {"id", MS_J_ID, false, false, 0, 0, NULL},
    {"lang", MS_J_LOCALE, false, false, 0, 0, NULL},
    {"slug", MS_J_SLUG, false, false, 2, 10, NULL},
    {"note", MS_J_TEXT, false, false, 0, 20, NULL},
    {0},
};

static int check(const char *text, ms_error *e)
{
    json_t *j;
    ms_error_clear(e);
    if (ms_json_parse(text, strlen(text), &j, e)) return e->code;
    int rc = ms_json_check(j, shape, e);
    json_decref(j);
    return rc;
}

static bool has_field(const ms_error *e, const char *f)
{
    for (int i = 0; i < e->nfields; i++)
        if (!strcmp(e->fields[i].field, f)) return true;
    return false;
}

static void test_json_check(void **state)
{
    (void)state;
    ms_error e;
    assert_int_equal(check("{\"name\":\"上海影业\",\"kind\":\"studio\"}", &e), 0); /* 4 chars */
    assert_int_equal(check("{\"name\":\"上海影业社\",\"kind\":\"studio\",\"when\":null,\"n\":10,"
                           "\"flag\":true,\"email\":\"a@b.cn\",\"id\":"
                           "\"01920000-0000-7000-8000-000000000000\",\"lang\":\"zh-Hant-HK\","
                           "\"slug\":\"hk-films\",\"note\":\"line1\\nline2\"}",
                           &e),
                     0);
    assert_int_equal(
        check("{\"name\":\"\",\"kind\":\"x\",\"n\":\"5\",\"flag\":1,\"email\":\"no\","
              "\"when\":\"yesterday\",\"id\":\"1\",\"lang\":\"english!\",\"slug\":\"Hk\","
              "\"note\":\"\\u0007\",\"nmae\":1}",
              &e),
        MS_EINVAL);
    const char *bad[] = {"name", "kind", "n",    "flag", "email", "when",
                         "id",   "lang", "slug", "note", "nmae"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_true(has_field(&e, bad[i]));
    assert_int_equal(check("{\"kind\":\"studio\"}", &e), MS_EINVAL);
    assert_true(has_field(&e, "name"));
    assert_int_equal(check("{\"name\":\"   \",\"kind\":\"studio\"}", &e), MS_EINVAL);
    assert_int_equal(check("{\"name\":\"abcdef\",\"kind\":\"studio\"}", &e), MS_EINVAL);
    assert_int_equal(check("{\"name\":\"a\",\"kind\":\"studio\",\"n\":11}", &e), MS_EINVAL);
    assert_int_equal(check("[]", &e), MS_EINVAL);
    assert_int_equal(check("{\"name\":\"a\",\"name\":\"b\",\"kind\":\"studio\"}", &e), MS_EBADREQ);
    assert_int_equal(check("{\"name\":", &e), MS_EBADREQ);
    assert_string_equal(e.type, "malformed-json");
    assert_int_equal(check("{\"name\":\"a\\u0000b\",\"kind\":\"studio\"}", &e), MS_EBADREQ);
}

static void test_validators(void **state)
{
    (void)state;
    assert_true(ms_email_valid("wang.wei+dailies@studio.cn"));
    assert_true(ms_email_valid("admin@localhost"));
    assert_false(ms_email_valid("no-at-sign"));
    assert_false(ms_email_valid("a@b..c"));
    assert_false(ms_email_valid("a@-b.c"));
    assert_false(ms_email_valid("a b@c.d"));
    assert_false(ms_email_valid("a@b.c\r\nBcc: x@y.z"));
    assert_true(ms_locale_valid("zh-CN"));
    assert_true(ms_locale_valid("en"));
    assert_false(ms_locale_valid("e"));
    assert_false(ms_locale_valid("zh_CN"));
    assert_true(ms_slug_valid("hk-films-2", 40));
    assert_false(ms_slug_valid("2hk", 40));
    assert_false(ms_slug_valid("hk--films", 40));
    assert_false(ms_slug_valid("hk-", 40));
}

static void test_arena(void **state)
{
    (void)state;
    ms_arena a;
    ms_arena_init(&a, 256);
    char *s = ms_arena_strdup(&a, "hello");
    void *big = ms_arena_alloc(&a, 10000);
    char *t = ms_arena_printf(&a, "%s-%d", s, 42);
    assert_string_equal(t, "hello-42");
    assert_non_null(big);
    assert_int_equal(((uintptr_t)big) % 16, 0);
    for (int i = 0; i < 1000; i++)
        assert_non_null(ms_arena_alloc(&a, 100));
    ms_arena_reset(&a);
    assert_non_null(ms_arena_alloc(&a, 10));
    ms_arena_free(&a);
}

static void test_if_match(void **state)
{
    (void)state;
    ms_arena a;
    ms_arena_init(&a, 1024);
    ms_req r;
    memset(&r, 0, sizeof r);
    r.arena = &a;
    assert_int_equal(ms_req_check_version(&r, 3), 0); /* absent */
    r.if_match = "\"3\"";
    assert_int_equal(ms_req_check_version(&r, 3), 0);
    r.if_match = "\"2\", \"3\"";
    assert_int_equal(ms_req_check_version(&r, 3), 0);
    r.if_match = "*";
    assert_int_equal(ms_req_check_version(&r, 9), 0);
    r.if_match = "\"2\"";
    assert_int_equal(ms_req_check_version(&r, 3), MS_ESTALE);
    r.if_match = "W/\"3\"";
    assert_int_equal(ms_req_check_version(&r, 3), MS_ESTALE);
    r.if_match = "3";
    assert_int_equal(ms_req_check_version(&r, 3), MS_EBADREQ);
    ms_arena_free(&a);
}

static void test_mail_compose(void **state)
{
    (void)state;
    char *m = ms_mail_compose("mstation <no-reply@example.com>", "li@example.cn",
                              "王伟 invited you\r\nBcc: evil@example.com", "line one\nline two",
                              "id@example.com", "Sun, 22 Nov 2026 08:00:00 +0000");
    assert_non_null(m);
    assert_non_null(strstr(m, "Subject: =?UTF-8?B?"));
    assert_null(strstr(m, "\r\nBcc:")); /* no header injection */
    assert_non_null(strstr(m, "\r\n\r\nline one\r\nline two\r\n"));
    assert_non_null(strstr(m, "Content-Type: text/plain; charset=utf-8"));
    free(m);
}

static void test_seal(void **state)
{
    (void)state;
    unsigned char k1[32] = {1}, k2[32] = {2};
    ms_error e;
    char *sealed, *opened;
    size_t n;
    const char *secret = "mst_abcdefghijklmnopqrstuvwxyz 上海";
    assert_int_equal(ms_seal(k1, "idempotency", secret, strlen(secret), &sealed, &e), 0);
    assert_true(strncmp(sealed, "s1.", 3) == 0);
    assert_null(strstr(sealed, "mst_"));
    assert_int_equal(ms_unseal(k1, "idempotency", sealed, &opened, &n, &e), 0);
    assert_string_equal(opened, secret);
    assert_int_equal(n, strlen(secret));
    free(opened);
    /* Another key, another purpose, or one changed character: refused. */
    assert_int_equal(ms_unseal(k2, "idempotency", sealed, &opened, &n, &e), MS_EINVAL);
    assert_int_equal(ms_unseal(k1, "mail", sealed, &opened, &n, &e), MS_EINVAL);
    sealed[10] = sealed[10] == 'A' ? 'B' : 'A';
    assert_int_equal(ms_unseal(k1, "idempotency", sealed, &opened, &n, &e), MS_EINVAL);
    assert_int_equal(ms_unseal(k1, "idempotency", "plain text", &opened, &n, &e), MS_EINVAL);
    assert_int_equal(ms_unseal(k1, "idempotency", "s1.", &opened, &n, &e), MS_EINVAL);
    free(sealed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_string_escaping),
        cmocka_unit_test(test_buf_growth_and_printf),
        cmocka_unit_test(test_b64url_round_trip),
        cmocka_unit_test(test_clean_text),
        cmocka_unit_test(test_utf8_safe_truncation),
        cmocka_unit_test(test_time_format_and_parse),
        cmocka_unit_test(test_uuid7),
        cmocka_unit_test(test_config_parsers),
        cmocka_unit_test(test_config_precedence),
        cmocka_unit_test(test_json_check),
        cmocka_unit_test(test_validators),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_if_match),
        cmocka_unit_test(test_mail_compose),
        cmocka_unit_test(test_seal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
