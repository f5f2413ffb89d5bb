/* test_timecode.c: unit tests of src/core/timecode: published drop-frame values, every label of
 * a whole day both ways at 29.97 DF, 59.94 DF, 25 and 23.976, every label drop-frame leaves out,
 * malformed labels, frame rates from text, and the rational conversions.
 *
 * The day walks count labels on their own (HH:MM:SS:FF, skipping the left-out ones), so they
 * check the arithmetic of timecode.c against the counting rule itself, not against itself. */
#include "unit.h"

#include "core/timecode.h"

static const ms_rate r2997 = {30000, 1001}, r5994 = {60000, 1001}, r23976 = {24000, 1001},
                     r24 = {24, 1}, r25 = {25, 1}, r30 = {30, 1}, r120 = {120, 1};

static int64_t parse(const char *s, ms_rate r, unsigned flags, bool *drop)
{
    int64_t f;
    ms_error e;
    ms_error_clear(&e);
    int rc = ms_tc_parse(s, strlen(s), r, flags, &f, drop, &e);
    if (rc) fail_msg("%s: %s", s, e.detail);
    return f;
}

static int parse_rc(const char *s, ms_rate r, unsigned flags)
{
    int64_t f;
    ms_error e;
    ms_error_clear(&e);
    int rc = ms_tc_parse(s, strlen(s), r, flags, &f, NULL, &e);
    if (rc) assert_true(e.detail[0] != '\0');
    return rc;
}

static const char *fmt(int64_t f, ms_rate r, unsigned flags)
{
    static char out[MS_TC_LEN];
    ms_error e;
    if (ms_tc_format(f, r, flags, out, &e)) fail_msg("%lld: %s", (long long)f, e.detail);
    return out;
}

static void test_rates(void **state)
{
    (void)state;
    ms_rate n;
    ms_error e;
    assert_int_equal(ms_rate_check(r2997, &n, &e), 0);
    assert_int_equal(n.num, 30000);
    assert_int_equal(n.den, 1001);
    assert_int_equal(ms_rate_check((ms_rate){48, 2}, &n, &e), 0); /* normalized */
    assert_int_equal(n.num, 24);
    assert_int_equal(n.den, 1);
    assert_int_equal(ms_rate_check((ms_rate){60000000, 1001000}, &n, &e), 0);
    assert_int_equal(n.num, 60000);
    assert_int_equal(n.den, 1001);
    assert_int_equal(ms_rate_nominal(r23976), 24);
    assert_int_equal(ms_rate_nominal(r2997), 30);
    assert_int_equal(ms_rate_nominal(r5994), 60);
    assert_int_equal(ms_rate_nominal((ms_rate){48000, 1001}), 48);
    assert_int_equal(ms_rate_nominal(r25), 25);
    assert_int_equal(ms_rate_nominal((ms_rate){12, 1}), 12);
    assert_int_equal(ms_rate_nominal((ms_rate){1000, 1}), 1000);
    assert_true(ms_rate_has_drop(r2997));
    assert_true(ms_rate_has_drop(r5994));
    assert_false(ms_rate_has_drop(r30));
    assert_false(ms_rate_has_drop(r23976));
    assert_false(ms_rate_has_drop(r25));
    assert_false(ms_rate_has_drop((ms_rate){120000, 1001}));
    const ms_rate bad[] = {
        {0, 1}, {25, 0},       {-25, 1},  {25, -1},       {25, 2},
        {1, 3}, {30000, 1002}, {1001, 1}, {INT32_MAX, 1}, {INT32_MAX, INT32_MAX - 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms_error_clear(&e);
        assert_int_equal(ms_rate_check(bad[i], NULL, &e), MS_EINVAL);
        assert_int_equal(e.code, MS_EINVAL);
        assert_int_equal(ms_rate_nominal(bad[i]), 0);
        assert_int_equal(ms_tc_day_frames(bad[i], false), 0);
    }
    char s[MS_RATE_LEN];
    ms_rate_fmt(r23976, s);
    assert_string_equal(s, "23.976");
    ms_rate_fmt(r2997, s);
    assert_string_equal(s, "29.97");
    ms_rate_fmt(r5994, s);
    assert_string_equal(s, "59.94");
    ms_rate_fmt(r25, s);
    assert_string_equal(s, "25");
    ms_rate_fmt((ms_rate){120000, 1001}, s);
    assert_string_equal(s, "119.88");
    ms_rate_fmt((ms_rate){25, 2}, s);
    assert_string_equal(s, "?");
    assert_int_equal(ms_tc_day_frames(r2997, true), 2589408);
    assert_int_equal(ms_tc_day_frames(r2997, false), 2592000);
    assert_int_equal(ms_tc_day_frames(r5994, true), 5178816);
    assert_int_equal(ms_tc_day_frames(r25, false), 2160000);
    assert_int_equal(ms_tc_day_frames(r25, true), 0);
}

static void test_rate_parse(void **state)
{
    (void)state;
    struct {
        const char *s;
        int32_t num, den;
    } ok[] = {
        {"23.976", 24000, 1001},
        {"23.98", 24000, 1001},
        {"24", 24, 1},
        {"25", 25, 1},
        {"29.97", 30000, 1001},
        {"30", 30, 1},
        {"50", 50, 1},
        {"59.94", 60000, 1001},
        {"60", 60, 1},
        {"24000/1001", 24000, 1001},
        {"30000/1001", 30000, 1001},
        {"60000/1001", 60000, 1001},
        {"25/1", 25, 1},
        {"50/2", 25, 1},
        {"48", 48, 1},
        {"47.952", 48000, 1001},
        {"119.88", 120000, 1001},
        {"29.970", 30000, 1001},
        {"23.9760", 24000, 1001},
        {"25.000", 25, 1},
        {"12", 12, 1},
        {"0024", 24, 1},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ms_rate r = {0, 0};
        ms_error e;
        if (ms_rate_parse(ok[i].s, &r, &e)) fail_msg("%s: %s", ok[i].s, e.detail);
        assert_int_equal(r.num, ok[i].num);
        assert_int_equal(r.den, ok[i].den);
        /* What ms_rate_fmt writes reads back to the same rate. */
        char s[MS_RATE_LEN];
        ms_rate r2;
        ms_rate_fmt(r, s);
        assert_int_equal(ms_rate_parse(s, &r2, &e), 0);
        assert_int_equal(r2.num, r.num);
        assert_int_equal(r2.den, r.den);
    }
    const char *bad[] = {
        "",       "0",       "-24",          "+24",           "24 ",         " 24",
        "24fps",  "23.97",   "29.98",        "29.9",          "59.9",        "12.5",
        "24.",    ".5",      "1.2.3",        "24/0",          "0/1",         "25/2",
        "1/",     "/1",      "24000/1002",   "1001",          "99999999999", "2400000000/100000000",
        "23,976", "29.97DF", "30000/1001/1", "23.97602397602"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms_rate r;
        ms_error e;
        ms_error_clear(&e);
        if (ms_rate_parse(bad[i], &r, &e) != MS_EINVAL) fail_msg("accepted \"%s\"", bad[i]);
        assert_true(e.detail[0] != '\0');
    }
    ms_rate r;
    assert_int_equal(ms_rate_parse(NULL, &r, NULL), MS_EINVAL);
}

static void test_known_values(void **state)
{
    (void)state;
    bool drop = false;
    /* 29.97 drop-frame. */
    assert_int_equal(parse("00:00:00;00", r2997, 0, &drop), 0);
    assert_true(drop);
    assert_int_equal(parse("00:00:59;29", r2997, 0, NULL), 1799);
    assert_int_equal(parse("00:01:00;02", r2997, 0, NULL), 1800);
    assert_int_equal(parse("00:10:00;00", r2997, 0, NULL), 17982);
    assert_int_equal(parse("01:00:00;00", r2997, 0, NULL), 107892);
    assert_int_equal(parse("23:59:59;29", r2997, 0, NULL), 2589407);
    /* The other ways of writing drop-frame. */
    assert_int_equal(parse("00:01:00.02", r2997, 0, &drop), 1800);
    assert_true(drop);
    assert_int_equal(parse("00;01;00;02", r2997, 0, &drop), 1800);
    assert_true(drop);
    assert_int_equal(parse("00:01:00:02", r2997, MS_TC_DROP, &drop), 1800);
    assert_true(drop);
    /* The same label non-drop. */
    assert_int_equal(parse("00:01:00:02", r2997, 0, &drop), 1802);
    assert_false(drop);
    assert_int_equal(parse("01:00:00:00", r2997, 0, NULL), 108000);
    assert_string_equal(fmt(1800, r2997, MS_TC_DROP), "00:01:00;02");
    assert_string_equal(fmt(1799, r2997, MS_TC_DROP), "00:00:59;29");
    assert_string_equal(fmt(17982, r2997, MS_TC_DROP), "00:10:00;00");
    assert_string_equal(fmt(107892, r2997, MS_TC_DROP), "01:00:00;00");
    assert_string_equal(fmt(2589407, r2997, MS_TC_DROP), "23:59:59;29");
    assert_string_equal(fmt(107892, r2997, 0), "00:59:56:12"); /* an hour of 29.97, non-drop */
    /* 59.94 drop-frame. */
    assert_int_equal(parse("01:00:00;00", r5994, 0, NULL), 215784);
    assert_int_equal(parse("00:01:00;04", r5994, 0, NULL), 3600);
    assert_int_equal(parse("00:10:00;00", r5994, 0, NULL), 35964);
    assert_int_equal(parse("23:59:59;59", r5994, 0, NULL), 5178815);
    assert_string_equal(fmt(215784, r5994, MS_TC_DROP), "01:00:00;00");
    assert_string_equal(fmt(3600, r5994, MS_TC_DROP), "00:01:00;04");
    assert_string_equal(fmt(3599, r5994, MS_TC_DROP), "00:00:59;59");
    /* Non-drop rates. */
    assert_int_equal(parse("01:00:00:00", r25, 0, NULL), 90000);
    assert_int_equal(parse("10:00:00:00", r24, 0, NULL), 864000);
    assert_int_equal(parse("01:00:00:00", r23976, 0, NULL), 86400);
    assert_int_equal(parse("00:00:01:119", r120, 0, NULL), 239); /* three frame digits */
    assert_string_equal(fmt(239, r120, 0), "00:00:01:119");
    assert_string_equal(fmt(90000 + 24, r25, 0), "01:00:00:24");
}

/* Count every label of a day (HH:MM:SS:FF, drop-frame skipping the labels it leaves out) and
 * check that frame i is the i-th label both ways. */
static void walk_day(ms_rate r, bool drop)
{
    int n = ms_rate_nominal(r), d = drop ? n / 15 : 0;
    unsigned flags = drop ? MS_TC_DROP : 0;
    int64_t day = ms_tc_day_frames(r, drop);
    int hh = 0, mm = 0, ss = 0, ff = 0;
    char want[64], got[MS_TC_LEN];
    ms_error e;
    for (int64_t i = 0; i < day; i++) {
        /* "HH:MM:SS:FF" by hand: snprintf would be most of the test's time. */
        const int v[4] = {hh, mm, ss, ff};
        for (int k = 0; k < 4; k++) {
            want[3 * k] = (char)('0' + v[k] / 10);
            want[3 * k + 1] = (char)('0' + v[k] % 10);
            want[3 * k + 2] = k == 2 && drop ? ';' : ':';
        }
        want[11] = '\0';
        if (ms_tc_format(i, r, flags, got, &e) || strcmp(got, want) != 0)
            fail_msg("frame %lld: %s, want %s", (long long)i, got, want);
        int64_t f;
        bool df;
        if (ms_tc_parse(want, 11, r, 0, &f, &df, &e) || f != i || df != drop)
            fail_msg("%s: %lld, want %lld", want, (long long)f, (long long)i);
        if (++ff == n) {
            ff = 0;
            if (++ss == 60) {
                ss = 0;
                if (++mm == 60) {
                    mm = 0;
                    hh++;
                }
                if (drop && mm % 10 != 0) ff = d;
            }
        }
    }
    assert_int_equal(hh, 24);
    assert_int_equal(mm + ss + ff, 0);
    /* The next frame is the next day's first. */
    assert_string_equal(fmt(day, r, flags), drop ? "00:00:00;00" : "00:00:00:00");
}

static void test_full_day_2997_df(void **state)
{
    (void)state;
    walk_day(r2997, true);
}

static void test_full_day_5994_df(void **state)
{
    (void)state;
    walk_day(r5994, true);
}

static void test_full_day_25(void **state)
{
    (void)state;
    walk_day(r25, false);
}

static void test_full_day_23976(void **state)
{
    (void)state;
    walk_day(r23976, false);
}

static void test_dropped_labels_rejected(void **state)
{
    (void)state;
    const ms_rate rates[] = {r2997, r5994};
    int rejected = 0;
    for (size_t k = 0; k < 2; k++) {
        int d = ms_rate_nominal(rates[k]) / 15;
        for (int hh = 0; hh < 24; hh++) {
            for (int mm = 0; mm < 60; mm++) {
                for (int ff = 0; ff <= d; ff++) {
                    char s[4][32];
                    snprintf(s[0], sizeof s[0], "%02d:%02d:00;%02d", hh, mm, ff);
                    snprintf(s[1], sizeof s[1], "%02d:%02d:00.%02d", hh, mm, ff);
                    snprintf(s[2], sizeof s[2], "%02d;%02d;00;%02d", hh, mm, ff);
                    snprintf(s[3], sizeof s[3], "%02d:%02d:00:%02d", hh, mm, ff);
                    bool exists = mm % 10 == 0 || ff >= d;
                    for (int j = 0; j < 4; j++) {
                        unsigned flags = j == 3 ? MS_TC_DROP : 0;
                        int rc = parse_rc(s[j], rates[k], flags);
                        if (exists ? rc != 0 : rc != MS_EINVAL)
                            fail_msg("%s at %d fps: %d", s[j], ms_rate_nominal(rates[k]), rc);
                        if (!exists) rejected++;
                        /* Non-drop has every label. */
                        if (j == 3) assert_int_equal(parse_rc(s[j], rates[k], 0), 0);
                    }
                }
            }
        }
    }
    /* 24 * 54 minutes * (2 + 4) labels, in four spellings. */
    assert_int_equal(rejected, 24 * 54 * 6 * 4);
}

static void test_bad_labels(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "0",
        "1:00:00:00",
        "01:0:00:00",
        "01:00:0:00",
        "01:00:00:0",
        "01:00:00:000",
        "001:00:00:00",
        "01:60:00:00",
        "01:00:60:00",
        "01:00:00:30",
        "24:00:00:00",
        "99:00:00:00",
        "01-00-00-00",
        "01.00.00.00",
        "01:00;00;00",
        "01;00;00:00",
        "01;00:00;00",
        "01:00:00,00",
        " 01:00:00:00",
        "01:00:00:00 ",
        "01:00:00:00\n",
        "+1:00:00:00",
        "-1:00:00:00",
        "0a:00:00:00",
        "01:0x:00:00",
        "01:00:00:1a",
        "０1:00:00:00", /* a full-width digit */
        "01:00:00:00:00",
        "9999999999:00:00:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse_rc(bad[i], r2997, 0) != MS_EINVAL) fail_msg("accepted \"%s\"", bad[i]);
        if (parse_rc(bad[i], r25, 0) != MS_EINVAL) fail_msg("accepted \"%s\" at 25", bad[i]);
    }
    /* Frames past the nominal rate; hours past 23 only when asked for. */
    assert_int_equal(parse_rc("00:00:00:25", r25, 0), MS_EINVAL);
    assert_int_equal(parse_rc("00:00:00:24", r25, 0), 0);
    assert_int_equal(parse_rc("00:00:00:24", r24, 0), MS_EINVAL);
    assert_int_equal(parse_rc("00:00:00:24", r23976, 0), MS_EINVAL);
    assert_int_equal(parse_rc("00:00:00:59", r5994, 0), 0);
    assert_int_equal(parse_rc("00:00:00:60", r5994, 0), MS_EINVAL);
    assert_int_equal(parse_rc("00:00:00:19", r120, 0), MS_EINVAL); /* needs 3 digits */
    assert_int_equal(parse_rc("00:00:00:120", r120, 0), MS_EINVAL);
    assert_int_equal(parse_rc("24:00:00:00", r25, MS_TC_NOWRAP), 0);
    assert_int_equal(parse("123:00:00:00", r25, MS_TC_NOWRAP, NULL), 123LL * 3600 * 25);
    assert_int_equal(parse("999999999:59:59:24", r25, MS_TC_NOWRAP, NULL),
                     1000000000LL * 3600 * 25 - 1);
    assert_int_equal(parse_rc("1000000000:00:00:00", r25, MS_TC_NOWRAP), MS_EINVAL);
    /* Drop-frame where none exists. */
    assert_int_equal(parse_rc("01:00:00;00", r25, 0), MS_EINVAL);
    assert_int_equal(parse_rc("01:00:00;00", r30, 0), MS_EINVAL);
    assert_int_equal(parse_rc("01:00:00;00", r23976, 0), MS_EINVAL);
    assert_int_equal(parse_rc("01:00:00:00", r25, MS_TC_DROP), MS_EINVAL);
    /* A NUL inside the counted bytes is not a digit. */
    int64_t f;
    ms_error e;
    assert_int_equal(ms_tc_parse("01:00\0:00:00", 12, r25, 0, &f, NULL, &e), MS_EINVAL);
    /* Only the n bytes given are read. */
    assert_int_equal(ms_tc_parse("01:00:00:00garbage", 11, r25, 0, &f, NULL, &e), 0);
    assert_int_equal(f, 90000);
    /* A bad rate. */
    assert_int_equal(ms_tc_parse("01:00:00:00", 11, (ms_rate){25, 2}, 0, &f, NULL, &e), MS_EINVAL);
}

static void test_format_wrap_and_errors(void **state)
{
    (void)state;
    char out[MS_TC_LEN];
    ms_error e;
    int64_t day = ms_tc_day_frames(r2997, true);
    assert_string_equal(fmt(day + 1800, r2997, MS_TC_DROP), "00:01:00;02");
    assert_string_equal(fmt(day + 1800, r2997, MS_TC_DROP | MS_TC_NOWRAP), "24:01:00;02");
    assert_string_equal(fmt(25 * 86400 * 5, r25, 0), "00:00:00:00");
    assert_string_equal(fmt(25 * 86400 * 5, r25, MS_TC_NOWRAP), "120:00:00:00");
    assert_string_equal(fmt(INT64_MAX, r25, MS_TC_NOWRAP), "102481911520608:37:12:07");
    assert_string_equal(fmt(INT64_MAX, r2997, MS_TC_DROP), fmt(INT64_MAX % day, r2997, MS_TC_DROP));
    /* What NOWRAP writes reads back with NOWRAP. */
    int64_t f;
    assert_int_equal(ms_tc_parse("120:00:00:00", 12, r25, MS_TC_NOWRAP, &f, NULL, &e), 0);
    assert_int_equal(f, 25 * 86400 * 5);
    assert_int_equal(ms_tc_format(-1, r25, 0, out, &e), MS_EINVAL);
    assert_string_equal(out, "");
    assert_int_equal(ms_tc_format(INT64_MIN, r25, MS_TC_NOWRAP, out, &e), MS_EINVAL);
    assert_int_equal(ms_tc_format(0, r25, MS_TC_DROP, out, &e), MS_EINVAL);
    assert_int_equal(ms_tc_format(0, r30, MS_TC_DROP, out, &e), MS_EINVAL);
    assert_int_equal(ms_tc_format(0, (ms_rate){0, 0}, 0, out, &e), MS_EINVAL);
}

static void test_conversions(void **state)
{
    (void)state;
    ms_rational s;
    int64_t v;
    ms_error e;
    assert_int_equal(ms_tc_frames_to_seconds(1, r2997, &s, &e), 0);
    assert_int_equal(s.num, 1001);
    assert_int_equal(s.den, 30000);
    assert_int_equal(ms_tc_frames_to_seconds(48, r24, &s, &e), 0);
    assert_int_equal(s.num, 2);
    assert_int_equal(s.den, 1);
    assert_int_equal(ms_tc_frames_to_seconds(0, r25, &s, &e), 0);
    assert_int_equal(s.num, 0);
    assert_int_equal(s.den, 1);
    assert_int_equal(ms_tc_frames_to_seconds(107892, r2997, &s, &e), 0); /* 01:00:00;00 */
    assert_int_equal(s.num, 8999991);                                    /* 3599.9964 s */
    assert_int_equal(s.den, 2500);
    assert_int_equal(ms_tc_frames_to_seconds(-3, (ms_rate){50, 2}, &s, &e), 0);
    assert_int_equal(s.num, -3);
    assert_int_equal(s.den, 25);
    assert_int_equal(ms_tc_frames_to_seconds(INT64_MAX, r2997, &s, &e), MS_EINVAL);
    assert_int_equal(ms_tc_frames_to_seconds(INT64_MIN, r24, &s, &e), 0);
    assert_int_equal(s.den, 3);

    assert_int_equal(ms_tc_seconds_to_frames((ms_rational){1001, 30000}, r2997, &v, &e), 0);
    assert_int_equal(v, 1);
    assert_int_equal(ms_tc_seconds_to_frames((ms_rational){1, 1}, r2997, &v, &e), 0);
    assert_int_equal(v, 30); /* 29.97 rounds up */
    assert_int_equal(ms_tc_seconds_to_frames((ms_rational){1, 2}, r25, &v, &e), 0);
    assert_int_equal(v, 13); /* 12.5: halves away from zero */
    assert_int_equal(ms_tc_seconds_to_frames((ms_rational){-1, 2}, r25, &v, &e), 0);
    assert_int_equal(v, -13);
    assert_int_equal(ms_tc_seconds_to_frames((ms_rational){3600, 1}, r2997, &v, &e), 0);
    assert_int_equal(v, 107892);
    assert_int_equal(ms_tc_seconds_to_frames((ms_rational){1, 0}, r25, &v, &e), MS_EINVAL);
    assert_int_equal(ms_tc_seconds_to_frames((ms_rational){1, -2}, r25, &v, &e), MS_EINVAL);
    assert_int_equal(ms_tc_seconds_to_frames((ms_rational){INT64_MAX, 1}, r25, &v, &e), MS_EINVAL);
    /* Frames to seconds and back is exact. */
    for (int64_t f = -1000; f <= 100000; f += 7) {
        assert_int_equal(ms_tc_frames_to_seconds(f, r23976, &s, &e), 0);
        assert_int_equal(ms_tc_seconds_to_frames(s, r23976, &v, &e), 0);
        assert_int_equal(v, f);
    }

    assert_int_equal(ms_tc_frames_to_ms(1, r24, &v, &e), 0);
    assert_int_equal(v, 42); /* 41.67 */
    assert_int_equal(ms_tc_frames_to_ms(3, r24, &v, &e), 0);
    assert_int_equal(v, 125);
    assert_int_equal(ms_tc_frames_to_ms(1, r2997, &v, &e), 0);
    assert_int_equal(v, 33); /* 33.37 */
    assert_int_equal(ms_tc_frames_to_ms(107892, r2997, &v, &e), 0);
    assert_int_equal(v, 3599996); /* 3599996.4 */
    assert_int_equal(ms_tc_frames_to_ms(-1, r24, &v, &e), 0);
    assert_int_equal(v, -42);
    assert_int_equal(ms_tc_frames_to_ms(1, r120, &v, &e), 0);
    assert_int_equal(v, 8); /* 8.33 */
    assert_int_equal(ms_tc_frames_to_ms(INT64_MAX, r24, &v, &e), MS_EINVAL);

    assert_int_equal(ms_tc_ms_to_frames(1000, r2997, &v, &e), 0);
    assert_int_equal(v, 30);
    assert_int_equal(ms_tc_ms_to_frames(3600000, r2997, &v, &e), 0);
    assert_int_equal(v, 107892); /* 107892.1 */
    assert_int_equal(ms_tc_ms_to_frames(20, r25, &v, &e), 0);
    assert_int_equal(v, 1); /* 0.5 rounds away from zero */
    assert_int_equal(ms_tc_ms_to_frames(19, r25, &v, &e), 0);
    assert_int_equal(v, 0);
    assert_int_equal(ms_tc_ms_to_frames(-20, r25, &v, &e), 0);
    assert_int_equal(v, -1);
    assert_int_equal(ms_tc_ms_to_frames(INT64_MAX, r120, &v, &e), MS_EINVAL);
    /* Every frame's start in ms maps back to the same frame (frames are longer than 1 ms). */
    for (int64_t f = 0; f < 200000; f += 3) {
        assert_int_equal(ms_tc_frames_to_ms(f, r5994, &v, &e), 0);
        int64_t back;
        assert_int_equal(ms_tc_ms_to_frames(v, r5994, &back, &e), 0);
        assert_int_equal(back, f);
    }

    assert_int_equal(ms_tc_convert(48, r24, r25, &v, &e), 0);
    assert_int_equal(v, 50);
    assert_int_equal(ms_tc_convert(1001, r24, r23976, &v, &e), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(ms_tc_convert(1, r24, r25, &v, &e), 0);
    assert_int_equal(v, 1); /* 1.04 */
    assert_int_equal(ms_tc_convert(12, r24, r25, &v, &e), 0);
    assert_int_equal(v, 13); /* 12.5 */
    assert_int_equal(ms_tc_convert(107892, r2997, r5994, &v, &e), 0);
    assert_int_equal(v, 215784);
    assert_int_equal(ms_tc_convert(90000, r25, r2997, &v, &e), 0); /* one hour */
    assert_int_equal(v, 107892);                                   /* 107892.1 */
    assert_int_equal(ms_tc_convert(-48, r24, r25, &v, &e), 0);
    assert_int_equal(v, -50);
    assert_int_equal(ms_tc_convert(INT64_MAX, r24, r24, &v, &e), 0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(ms_tc_convert(INT64_MAX, r24, r25, &v, &e), MS_EINVAL);
    assert_int_equal(ms_tc_convert(1, r24, (ms_rate){25, 2}, &v, &e), MS_EINVAL);
    assert_int_equal(ms_tc_frames_to_ms(1, (ms_rate){0, 1}, &v, &e), MS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_rate_parse),
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_full_day_2997_df),
        cmocka_unit_test(test_full_day_5994_df),
        cmocka_unit_test(test_full_day_25),
        cmocka_unit_test(test_full_day_23976),
        cmocka_unit_test(test_dropped_labels_rejected),
        cmocka_unit_test(test_bad_labels),
        cmocka_unit_test(test_format_wrap_and_errors),
        cmocka_unit_test(test_conversions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
