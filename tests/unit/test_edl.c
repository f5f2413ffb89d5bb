/* test_edl.c: unit tests of src/production/edl: EDLs as editors' tools write them (Avid-style
 * cuts with long reel names and locators, a dissolve, a wipe, a key, M2 speed changes, FROM/TO
 * CLIP NAME, FCM switching between drop-frame and non-drop, CRLF and CR line endings), and
 * hostile input: bad lines reported by number while the good ones around them are kept, lines
 * cut short, absurd numbers, NULs, invalid UTF-8, overlong lines, limits. */
#include "unit.h"

#include "core/buf.h"
#include "core/timecode.h"
#include "production/edl.h"

static const ms_rate r2997 = {30000, 1001}, r23976 = {24000, 1001}, r25 = {25, 1};

/* A non-drop frame count, computed here and not by the code under test. */
static int64_t nd(int h, int m, int s, int f, int fps)
{
    return ((int64_t)(h * 3600 + m * 60 + s)) * fps + f;
}

static edl_list *parse_n(const char *s, size_t n, ms_rate r)
{
    edl_list *l = NULL;
    ms_error e;
    ms_error_clear(&e);
    if (edl_parse(s, n, 1 << 20, r, &l, &e)) fail_msg("edl_parse: %s", e.detail);
    assert_non_null(l);
    return l;
}

static edl_list *parse(const char *s, ms_rate r)
{
    return parse_n(s, strlen(s), r);
}

/* Whether line `line` has an error whose message contains `part`. */
static bool has_error(const edl_list *l, int line, const char *part)
{
    for (size_t i = 0; i < l->nerrors; i++)
        if (l->errors[i].line == line && strstr(l->errors[i].message, part)) return true;
    return false;
}

static void print_errors(const edl_list *l)
{
    for (size_t i = 0; i < l->nerrors; i++)
        print_message("line %d: %s\n", l->errors[i].line, l->errors[i].message);
}

/* Every string a list hands out is clean text: what the fuzzer checks too. */
static void assert_clean(const edl_list *l)
{
    if (l->title) assert_true(ms_str_is_clean_text(l->title, EDL_LINE_MAX * 3, false));
    for (size_t i = 0; i < l->ncomments; i++)
        assert_true(ms_str_is_clean_text(l->comments[i], EDL_LINE_MAX * 3, false));
    for (size_t i = 0; i < l->nevents; i++) {
        const edl_event *ev = &l->events[i];
        assert_true(ms_str_is_clean_text(ev->clip.reel, EDL_REEL_MAX, false));
        const char *s[] = {ev->clip_name, ev->to_clip_name, ev->source_file};
        for (size_t k = 0; k < 3; k++)
            if (s[k]) assert_true(ms_str_is_clean_text(s[k], EDL_LINE_MAX * 3, false));
        for (size_t k = 0; k < ev->ncomments; k++)
            assert_true(ms_str_is_clean_text(ev->comments[k], EDL_LINE_MAX * 3, false));
    }
    for (size_t i = 0; i < l->nerrors; i++)
        assert_true(ms_str_is_clean_text(l->errors[i].message, 240, false));
}

/* Avid Media Composer style: 23.976, long camera reel names, clip names, source files,
 * locators, CDL comments, black. */
static const char avid_cuts[] =
    "TITLE: HK_FILMS_EP01_LOCK_v3\n"
    "FCM: NON-DROP FRAME\n"
    "\n"
    "001  A001C003_230224_R1AB V     C        14:03:22:10 14:03:25:02 01:00:00:00 01:00:02:16\n"
    "* FROM CLIP NAME:  A001C003_230224_R1AB.MOV \n"
    "* SOURCE FILE: A001C003_230224_R1AB.MOV\n"
    "* LOC: 01:00:01:00 RED     SH010 check focus pull\n"
    "002  BL       V     C        00:00:00:00 00:00:01:00 01:00:02:16 01:00:03:16\n"
    "003  A002C011_230225_R1AB AA/V  C        09:12:00:00 09:12:04:12 01:00:03:16 01:00:08:04\n"
    "* FROM CLIP NAME: 王伟 采访.mov\n"
    "* ASC_SOP (1.0 1.0 1.0)(0.0 0.0 0.0)(1.0 1.0 1.0)\n"
    "*ASC_SAT 1.0\n"
    "* LOC: 01:00:05:00 GREEN   VFX_001\n"
    "* LOC: 01:00:06:00 ResolveColorBlue  Marker 1\n"
    "* LOC: 01:00:07:12 needs ADR\n"
    "004  TC_R1_V6 A12   C        00:00:00:00 00:00:00:00 01:00:08:04 01:00:08:04\n";

static void test_avid_cuts(void **state)
{
    (void)state;
    edl_list *l = parse(avid_cuts, r23976);
    print_errors(l);
    assert_int_equal(l->nerrors, 0);
    assert_int_equal(l->lines, 16);
    assert_string_equal(l->title, "HK_FILMS_EP01_LOCK_v3");
    assert_int_equal(l->rate.num, 24000);
    assert_int_equal(l->rate.den, 1001);
    assert_int_equal(l->nevents, 4);

    const edl_event *e1 = &l->events[0];
    assert_int_equal(e1->number, 1);
    assert_int_equal(e1->line, 4);
    assert_int_equal(e1->transition, EDL_CUT);
    assert_int_equal(e1->duration, 0);
    assert_false(e1->has_from);
    assert_false(e1->drop);
    assert_string_equal(e1->clip.reel, "A001C003_230224_R1AB");
    assert_string_equal(e1->clip.track, "V");
    assert_int_equal(e1->clip.channels, 1);
    assert_int_equal(e1->clip.src_in, nd(14, 3, 22, 10, 24));
    assert_int_equal(e1->clip.src_out, nd(14, 3, 25, 2, 24));
    assert_int_equal(e1->clip.rec_in, nd(1, 0, 0, 0, 24));
    assert_int_equal(e1->clip.rec_out, nd(1, 0, 2, 16, 24));
    assert_string_equal(e1->clip_name, "A001C003_230224_R1AB.MOV");
    assert_string_equal(e1->source_file, "A001C003_230224_R1AB.MOV");
    assert_null(e1->to_clip_name);
    assert_int_equal(e1->nmarkers, 1);
    assert_int_equal(e1->markers[0].frames, nd(1, 0, 1, 0, 24));
    assert_string_equal(e1->markers[0].colour, "RED");
    assert_string_equal(e1->markers[0].name, "SH010");
    assert_string_equal(e1->markers[0].text, "check focus pull");
    assert_int_equal(e1->markers[0].line, 7);

    const edl_event *e2 = &l->events[1];
    assert_string_equal(e2->clip.reel, "BL");
    assert_null(e2->clip_name);
    assert_int_equal(e2->nmarkers, 0);

    const edl_event *e3 = &l->events[2];
    assert_string_equal(e3->clip.track, "AA/V");
    assert_int_equal(e3->clip.channels, 1 | 2 | 4);
    assert_string_equal(e3->clip_name, "王伟 采访.mov");
    assert_int_equal(e3->ncomments, 2);
    assert_string_equal(e3->comments[0], "ASC_SOP (1.0 1.0 1.0)(0.0 0.0 0.0)(1.0 1.0 1.0)");
    assert_string_equal(e3->comments[1], "ASC_SAT 1.0");
    assert_int_equal(e3->nmarkers, 3);
    assert_string_equal(e3->markers[0].colour, "GREEN");
    assert_string_equal(e3->markers[0].name, "VFX_001");
    assert_null(e3->markers[0].text);
    assert_string_equal(e3->markers[1].colour, "ResolveColorBlue");
    assert_string_equal(e3->markers[1].name, "Marker");
    assert_string_equal(e3->markers[1].text, "1");
    assert_null(e3->markers[2].colour); /* no colour: the first word is the name */
    assert_string_equal(e3->markers[2].name, "needs");
    assert_string_equal(e3->markers[2].text, "ADR");
    assert_int_equal(e3->markers[2].frames, nd(1, 0, 7, 12, 24));

    const edl_event *e4 = &l->events[3];
    assert_string_equal(e4->clip.track, "A12");
    assert_int_equal(e4->clip.channels, (uint64_t)1 << 12);
    assert_int_equal(e4->clip.src_in, e4->clip.src_out); /* zero length is allowed */
    assert_clean(l);
    edl_free(l);
}

/* A 29.97 drop-frame promo: a dissolve, a wipe, a key, an M2 speed change, then FCM switching
 * to non-drop for the rest. Drop-frame timecodes written with colons, as CMX does. */
static const char promo[] =
    "TITLE: PROMO 30S\n"
    "FCM: DROP FRAME\n"
    "001  AX       V     C        00:59:58:00 01:00:03:00 01:00:00:00 01:00:05:00\n"
    "* FROM CLIP NAME: slate.mov\n"
    "002  AX       V     C        01:00:03:00 01:00:03:00 01:00:05:00 01:00:05:00\n"
    "002  BX       V     D    030 00:10:00:00 00:10:05:00 01:00:05:00 01:00:10:00\n"
    "* FROM CLIP NAME: slate.mov\n"
    "* TO CLIP NAME: beach.mov\n"
    "* EFFECT NAME: CROSS DISSOLVE\n"
    "003  BX       V     C        00:10:05:00 00:10:05:00 01:00:10:00 01:00:10:00\n"
    "003  CX       V     W001 015 00:20:00:00 00:20:02:00 01:00:10:00 01:00:12:00\n"
    "004  CX       V     C        00:20:02:00 00:20:04:00 01:00:12:00 01:00:14:00\n"
    "M2   CX       048.0                00:20:02:00\n"
    "FCM: NON-DROP FRAME\n"
    "005  DX       A     C        00:00:10:00 00:00:12:00 01:00:14:00 01:00:16:00\n"
    "006  BL       V     K B          00:00:00:00 00:00:02:00 01:00:16:00 01:00:18:00\n"
    "006  GFX_TITLE V    K    010 00:00:00:00 00:00:02:00 01:00:16:00 01:00:18:00\n"
    "007  EX       B     C        00:00:20:00 00:00:21:00 01:00:18:00 01:00:19:00\n"
    "M2   EX       -025.5               00:00:21:00\n"
    "008  FX       NONE  W    020 00:00:30:00 00:00:31:00 01:00:19:00 01:00:20:00\n"
    "009  GX       V     C        00:00:40:00 00:00:40:00 01:00:20:00 01:00:20:00\n"
    "009  HX       V     KO       00:00:50:00 00:00:51:00 01:00:20:00 01:00:21:00\n"
    "010  AX       V     C        01:00:00;00 01:00:00;02 01:00:21:00 01:00:21:02\n";

static void test_promo_transitions(void **state)
{
    (void)state;
    edl_list *l = parse(promo, r2997);
    print_errors(l);
    assert_int_equal(l->nerrors, 0);
    assert_int_equal(l->nevents, 10);
    const edl_event *ev = l->events;

    assert_true(ev[0].drop);
    assert_int_equal(ev[0].clip.src_in, 107832); /* 00:59:58;00 */
    assert_int_equal(ev[0].clip.src_out, 107982);
    assert_int_equal(ev[0].clip.rec_in, 107892); /* 01:00:00;00 */
    assert_int_equal(ev[0].clip.rec_out, 108042);

    /* The dissolve: both lines in one event. */
    assert_int_equal(ev[1].number, 2);
    assert_int_equal(ev[1].line, 5);
    assert_int_equal(ev[1].transition, EDL_DISSOLVE);
    assert_int_equal(ev[1].duration, 30);
    assert_true(ev[1].has_from);
    assert_string_equal(ev[1].from.reel, "AX");
    assert_int_equal(ev[1].from.line, 5);
    assert_int_equal(ev[1].from.src_in, 107982);
    assert_int_equal(ev[1].from.src_out, 107982);
    assert_string_equal(ev[1].clip.reel, "BX");
    assert_int_equal(ev[1].clip.line, 6);
    assert_int_equal(ev[1].clip.src_in, 17982); /* 00:10:00;00 */
    assert_int_equal(ev[1].clip.src_out, 18132);
    assert_int_equal(ev[1].clip.rec_in, 108042);
    assert_int_equal(ev[1].clip.rec_out, 108192);
    assert_string_equal(ev[1].clip_name, "slate.mov");
    assert_string_equal(ev[1].to_clip_name, "beach.mov");
    assert_int_equal(ev[1].ncomments, 1);
    assert_string_equal(ev[1].comments[0], "EFFECT NAME: CROSS DISSOLVE");

    assert_int_equal(ev[2].transition, EDL_WIPE);
    assert_int_equal(ev[2].wipe, 1);
    assert_int_equal(ev[2].duration, 15);
    assert_string_equal(ev[2].from.reel, "BX");
    assert_string_equal(ev[2].clip.reel, "CX");
    assert_int_equal(ev[2].clip.src_in, 35964); /* 00:20:00;00 */

    assert_true(ev[3].clip.has_speed);
    assert_int_equal(ev[3].clip.speed.num, 48);
    assert_int_equal(ev[3].clip.speed.den, 1);
    assert_int_equal(ev[3].clip.speed_src, 36024);
    assert_false(ev[2].clip.has_speed);

    /* After FCM: NON-DROP FRAME. */
    assert_false(ev[4].drop);
    assert_int_equal(ev[4].clip.rec_in, nd(1, 0, 14, 0, 30));
    assert_int_equal(ev[4].clip.channels, 2);

    /* A key over its background. */
    assert_int_equal(ev[5].transition, EDL_KEY);
    assert_int_equal(ev[5].duration, 10);
    assert_true(ev[5].has_from);
    assert_string_equal(ev[5].from.reel, "BL");
    assert_string_equal(ev[5].clip.reel, "GFX_TITLE");

    assert_string_equal(ev[6].clip.track, "B");
    assert_int_equal(ev[6].clip.channels, 1 | 2);
    assert_true(ev[6].clip.has_speed);
    assert_int_equal(ev[6].clip.speed.num, -51);
    assert_int_equal(ev[6].clip.speed.den, 2);

    assert_int_equal(ev[7].transition, EDL_WIPE);
    assert_int_equal(ev[7].wipe, -1);
    assert_int_equal(ev[7].duration, 20);
    assert_int_equal(ev[7].clip.channels, 0);

    assert_int_equal(ev[8].transition, EDL_KEY_OUT);
    assert_int_equal(ev[8].duration, 0);
    assert_true(ev[8].has_from);

    /* A ';' makes the event drop-frame even under FCM: NON-DROP FRAME, all four timecodes. */
    assert_true(ev[9].drop);
    assert_int_equal(ev[9].clip.src_in, 107892);
    assert_int_equal(ev[9].clip.src_out, 107894);
    assert_int_equal(ev[9].clip.rec_in, 107892 + 21 * 30 - 0);

    assert_string_equal(edl_transition_name(EDL_CUT), "cut");
    assert_string_equal(edl_transition_name(EDL_DISSOLVE), "dissolve");
    assert_string_equal(edl_transition_name(EDL_KEY_BACKGROUND), "key-background");
    assert_clean(l);
    edl_free(l);
}

/* Premiere Pro style on Windows: CRLF, 25 fps; one old Mac line ending (CR) in the middle. */
static void test_line_endings(void **state)
{
    (void)state;
    const char crlf[] =
        "TITLE: Sequence 01\r\n"
        "FCM: NON-DROP FRAME\r\n"
        "\r\n"
        "001  AX       V     C        00:00:00:00 00:00:05:00 10:00:00:00 10:00:05:00\r\n"
        "* FROM CLIP NAME: interview_cam_a.mxf\r\n"
        "002  AX       AA    C        00:00:05:00 00:00:06:00 10:00:05:00 10:00:06:00\r"
        "* FROM CLIP NAME: room tone.wav\r"
        "\r\n"
        "003  AX       V     C        00:00:06:00 00:00:07:24 10:00:06:00 10:00:07:24";
    edl_list *l = parse(crlf, r25);
    print_errors(l);
    assert_int_equal(l->nerrors, 0);
    assert_int_equal(l->lines, 9);
    assert_string_equal(l->title, "Sequence 01");
    assert_int_equal(l->nevents, 3);
    assert_string_equal(l->events[0].clip_name, "interview_cam_a.mxf");
    assert_int_equal(l->events[0].clip.rec_out, nd(10, 0, 5, 0, 25));
    assert_string_equal(l->events[1].clip_name, "room tone.wav");
    assert_int_equal(l->events[1].line, 6);
    assert_int_equal(l->events[2].line, 9);
    assert_int_equal(l->events[2].clip.rec_out, nd(10, 0, 7, 24, 25));
    edl_free(l);

    /* A UTF-8 byte order mark; no title; no FCM (non-drop). */
    l = parse("\xEF\xBB\xBF"
              "001  AX V C 00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00\n",
              r2997);
    assert_int_equal(l->nerrors, 0);
    assert_null(l->title);
    assert_int_equal(l->nevents, 1);
    assert_false(l->events[0].drop);
    assert_int_equal(l->events[0].clip.src_out, 30);
    edl_free(l);
}

/* Everything that goes wrong, one line each, between lines that are fine. */
static void test_bad_lines_reported(void **state)
{
    (void)state;
    char reel129[130];
    memset(reel129, 'R', 129);
    reel129[129] = '\0';
    char longline[5000];
    memset(longline, 'x', sizeof longline - 1);
    longline[0] = '*';
    longline[sizeof longline - 1] = '\0';
    ms_buf b;
    ms_buf_init(&b);
    ms_buf_printf(
        &b,
        "* FROM CLIP NAME: before any event\n"                                              /* 1 */
        "TITLE: Hostile\n"                                                                  /* 2 */
        "001  AX  V  C  00:00:00:00 00:00:05:00 01:00:00:00 01:00:05:00\n"                  /* 3 */
        "002  AX  V  C  00:00:05:00 00:00:04:00 01:00:05:00 01:00:06:00\n"                  /* 4 */
        "003  AX  V  X  00:00:05:00 00:00:06:00 01:00:05:00 01:00:06:00\n"                  /* 5 */
        "004  AX  V  C  00:00:10:00 00:00:12:00 01:00:06:00\n"                              /* 6 */
        "GARBAGE LINE\n"                                                                    /* 7 */
        "99999999999999999999999  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n" /* 8 */
        "1000000  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"                 /* 9 */
        "999999  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"                  /* 10 */
        "005  AX  V  D  9999999 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"          /* 11 */
        "006  %s V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"                     /* 12 */
        "%s\n"                                                                              /* 13 */
        "* FROM CLIP NAME: \xff\xfe bad \x01 bytes\tand a tab\n"                            /* 14 */
        "007  AX  V  C  00:00:00:25 00:00:01:00 01:00:00:00 01:00:01:00\n"                  /* 15 */
        "008  AX  V  C  24:00:00:00 24:00:01:00 01:00:00:00 01:00:01:00\n"                  /* 16 */
        "009  AX  V  C  01:00:00;00 01:00:01;00 01:00:00:00 01:00:01:00\n"                  /* 17 */
        "010  AX  Q  C  00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"                  /* 18 */
        "011  AX  V  C  00:00:00:00 00:00:01:00 01:00:02:00 01:00:01:00\n"                  /* 19 */
        "FCM: DROP FRAME\n"                                                                 /* 20 */
        "FCM: HALF FRAME\n"                                                                 /* 21 */
        "TITLE: second title\n"                                                             /* 22 */
        "M2   ZZ       050.0     00:00:00:00\n"                                             /* 23 */
        "M2   AX       fast      00:00:00:00\n"                                             /* 24 */
        "M2   AX\n"                                                                         /* 25 */
        "* LOC: 1:00:00:00 RED x\n"                                                         /* 26 */
        "* LOC:\n"                                                                          /* 27 */
        "* FROM CLIP NAME: a\n"                                                             /* 28 */
        "* FROM CLIP NAME: b\n"                                                             /* 29 */
        "012  AX  V  C  00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00 extra fields 1 2\n" /* 30 */
        "013  AX  V  C  00:00:00:00 0:00:01:00 01:00:00:00 01:00:01:00\n"                   /* 31 */
        "014  AX  V  C  00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"                  /* 32 */
        "014  AX  V  C  00:00:01:00 00:00:02:00 01:00:01:00 01:00:02:00\n"                  /* 33 */
        "015  AX  V  K  B  00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"               /* 34 */
        "015  AX  V  D  010 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"              /* 35 */
        "AUD  3    4\n",                                                                    /* 36 */
        reel129, longline);
    /* Line 37: a NUL inside a reel name. */
    ms_buf_append(&b, "016  A\0X  V  C  00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n", 64);
    /* Line 38: fine, and the last. */
    ms_buf_puts(&b, "017  AX  V  C  00:00:01:00 00:00:02:00 01:00:01:00 01:00:02:00");
    assert_false(b.oom);

    edl_list *l = parse_n(b.data, b.len, r25);
    assert_int_equal(l->lines, 38);
    struct {
        int line;
        const char *part;
    } want[] = {
        {1, "before the first event"},
        {4, "source out 00:00:04:00 is before source in 00:00:05:00"},
        {5, "\"X\" is not a transition"},
        {6, "cut short"},
        {7, "Not an EDL line (it starts with \"GARBAGE\")"},
        {8, "out of range"},
        {9, "out of range"},
        {11, "not a transition"},
        {12, "longer than 128 bytes"},
        {13, "longer than 4096 bytes"},
        {15, "out of range"},
        {16, "out of range"},
        {17, "drop-frame does not exist at 25 fps"},
        {18, "\"Q\" is not a track"},
        {19, "record out 01:00:01:00 is before record in 01:00:02:00"},
        {20, "drop-frame does not exist at 25 fps"},
        {21, "FCM must be"},
        {22, "second TITLE"},
        {23, "M2 names reel ZZ, which event 999999 does not use"},
        {24, "M2 speed \"fast\""},
        {25, "An M2 line is"},
        {26, "LOC timecode \"1:00:00:00\""},
        {27, "LOC without a timecode"},
        {28, "already has a FROM CLIP NAME"}, /* line 14 gave it one */
        {29, "already has a FROM CLIP NAME"},
        {30, "too many fields"},
        {31, "source out \"0:00:01:00\""},
        {33, "repeats the number"},
        {35, "repeats the number"},
        {36, "Not an EDL line"},
        {37, "not clean UTF-8"},
    };
    size_t nwant = sizeof want / sizeof want[0];
    for (size_t i = 0; i < nwant; i++)
        if (!has_error(l, want[i].line, want[i].part)) {
            print_errors(l);
            fail_msg("no error on line %d with \"%s\"", want[i].line, want[i].part);
        }
    if (l->nerrors != nwant) print_errors(l);
    assert_int_equal(l->nerrors, nwant);
    assert_int_equal(l->errors_total, nwant);
    for (size_t i = 1; i < l->nerrors; i++)
        assert_true(l->errors[i].line >= l->errors[i - 1].line);

    /* The good lines: 001, 999999, 014, 015 (the K B line), 017. */
    assert_int_equal(l->nevents, 5);
    assert_int_equal(l->events[0].number, 1);
    assert_int_equal(l->events[0].line, 3);
    assert_string_equal(l->title, "Hostile");
    assert_int_equal(l->events[1].number, 999999);
    assert_string_equal(l->events[1].clip_name,
                        "\xEF\xBF\xBD\xEF\xBF\xBD bad \xEF\xBF\xBD bytes and a tab");
    assert_false(l->events[1].drop); /* FCM: DROP FRAME at 25 was refused */
    assert_int_equal(l->events[1].nmarkers, 0);
    assert_int_equal(l->events[2].number, 14);
    assert_false(l->events[2].has_from);
    assert_int_equal(l->events[3].number, 15);
    assert_int_equal(l->events[3].transition, EDL_KEY_BACKGROUND);
    assert_false(l->events[3].has_from);
    assert_int_equal(l->events[4].number, 17);
    assert_int_equal(l->events[4].line, 38);
    assert_int_equal(l->events[4].clip.rec_out, nd(1, 0, 2, 0, 25));
    assert_clean(l);
    edl_free(l);
    ms_buf_free(&b);
}

static void test_event_numbers(void **state)
{
    (void)state;
    /* A number that comes back later is a new event (lists past 999 start again at 001); a
     * third line of a transition is refused. */
    const char s[] = "001  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"
                     "002  AX V C 00:00:01:00 00:00:01:00 01:00:01:00 01:00:01:00\n"
                     "002  BX V D 010 00:00:01:00 00:00:02:00 01:00:01:00 01:00:02:00\n"
                     "002  CX V D 010 00:00:01:00 00:00:02:00 01:00:01:00 01:00:02:00\n"
                     "001  AX V C 00:00:02:00 00:00:03:00 01:00:02:00 01:00:03:00\n"
                     "003  AX V D 010 00:00:02:00 00:00:03:00 01:00:02:00 01:00:03:00\n"
                     "003  BX V D 010 00:00:02:00 00:00:03:00 01:00:02:00 01:00:03:00\n"
                     "004  AX V C 00:00:02:00 00:00:03:00 01:00:02:00 01:00:03:00\n"
                     "FCM: DROP FRAME\n"
                     "004  BX V D 010 00:00:02:00 00:00:03:00 01:00:02:00 01:00:03:00\n";
    edl_list *l = parse(s, r2997);
    assert_int_equal(l->nevents, 5);
    assert_int_equal(l->events[1].number, 2);
    assert_true(l->events[1].has_from);
    assert_string_equal(l->events[1].clip.reel, "BX");
    assert_int_equal(l->events[2].number, 1);
    assert_int_equal(l->events[2].line, 5);
    assert_int_equal(l->events[3].transition, EDL_DISSOLVE); /* a dissolve without its cut */
    assert_false(l->events[3].has_from);
    assert_int_equal(l->nerrors, 3);
    assert_true(has_error(l, 4, "repeats the number"));
    assert_true(has_error(l, 7, "repeats the number"));
    assert_true(has_error(l, 10, "count timecode differently"));
    edl_free(l);
}

static void test_limits(void **state)
{
    (void)state;
    edl_list *l = NULL;
    ms_error e;
    const char s[] = "001  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n";
    assert_int_equal(edl_parse(s, sizeof s - 1, 10, r25, &l, &e), MS_ETOOBIG);
    assert_null(l);
    assert_int_equal(edl_parse(s, sizeof s - 1, 1000, (ms_rate){25, 2}, &l, &e), MS_EINVAL);
    assert_null(l);
    assert_int_equal(edl_parse(s, sizeof s - 1, 1000, (ms_rate){0, 0}, &l, &e), MS_EINVAL);

    /* Nothing at all. */
    assert_int_equal(edl_parse("", 0, 1000, r25, &l, &e), 0);
    assert_int_equal(l->nevents, 0);
    assert_int_equal(l->lines, 0);
    edl_free(l);
    edl_free(NULL);

    /* Only NULs: one line of garbage. */
    char zeros[300] = {0};
    l = parse_n(zeros, sizeof zeros, r25);
    assert_int_equal(l->lines, 1);
    assert_int_equal(l->nerrors, 1);
    assert_true(has_error(l, 1, "Not an EDL line"));
    assert_clean(l);
    edl_free(l);

    /* Errors past the cap are counted, not kept. */
    ms_buf b;
    ms_buf_init(&b);
    for (int i = 0; i < 3000; i++)
        ms_buf_puts(&b, "?\n");
    ms_buf_puts(&b, "001  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n");
    l = parse_n(b.data, b.len, r25);
    assert_int_equal(l->nerrors, EDL_ERRORS_MAX);
    assert_int_equal(l->errors_total, 3000);
    assert_int_equal(l->nevents, 1);
    assert_int_equal(l->events[0].line, 3001);
    edl_free(l);

    /* Many events and markers: arrays grow. */
    ms_buf_reset(&b);
    for (int i = 0; i < 5000; i++) {
        ms_buf_printf(&b, "%03d  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n",
                      i % 1000);
        ms_buf_printf(&b, "* LOC: 01:00:00:%02d BLUE m%d\n* note %d\n", i % 25, i, i);
    }
    l = parse_n(b.data, b.len, r25);
    assert_int_equal(l->nerrors, 0);
    assert_int_equal(l->nevents, 5000);
    assert_int_equal(l->events[4999].number, 999);
    assert_int_equal(l->events[4999].nmarkers, 1);
    assert_string_equal(l->events[4999].markers[0].name, "m4999");
    assert_string_equal(l->events[4999].comments[0], "note 4999");
    edl_free(l);

    /* A line of exactly EDL_LINE_MAX bytes is read; one more byte is not. */
    for (int extra = 0; extra < 2; extra++) {
        ms_buf_reset(&b);
        ms_buf_puts(&b, "001  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n* ");
        for (int i = 0; i < EDL_LINE_MAX - 2 + extra; i++)
            ms_buf_putc(&b, 'c');
        l = parse_n(b.data, b.len, r25);
        assert_int_equal(l->nerrors, (size_t)extra);
        assert_int_equal(l->events[0].ncomments, (size_t)(1 - extra));
        edl_free(l);
    }
    ms_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_avid_cuts),     cmocka_unit_test(test_promo_transitions),
        cmocka_unit_test(test_line_endings),  cmocka_unit_test(test_bad_lines_reported),
        cmocka_unit_test(test_event_numbers), cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
