/* fuzz_edl.c: libFuzzer target for the EDL reader (src/production/edl.c) and the timecode text
 * it relies on (src/core/timecode.c): the bytes as a whole EDL at a drop-frame, a non-drop 1001
 * and a whole rate, and as a timecode label and a frame rate.
 * Invariants: no crash, no leak, no sanitizer report; every event's outs are at or after its
 * ins and its frame counts are labels of one day at the list's rate (they format and parse back
 * to the same count); line numbers are in order and in range; every string handed out is clean
 * UTF-8 text; a label that parses formats back to a label that parses to the same count; a rate
 * that parses is valid and reads back from its own text. */
#include "core/buf.h"
#include "core/timecode.h"
#include "production/edl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const ms_rate rates[] = {{30000, 1001}, {24000, 1001}, {25, 1}, {60000, 1001}};

static void check_str(const char *s, size_t max)
{
    if (s && !ms_str_is_clean_text(s, max, false)) abort();
}

/* A frame count of an event: in one day, and its label reads back to it. */
static void check_frames(int64_t f, ms_rate r, bool drop)
{
    if (f < 0 || f >= ms_tc_day_frames(r, drop)) abort();
    char s[MS_TC_LEN];
    int64_t back;
    ms_error e;
    if (ms_tc_format(f, r, drop ? MS_TC_DROP : 0, s, &e)) abort();
    if (ms_tc_parse(s, strlen(s), r, 0, &back, NULL, &e) || back != f) abort();
}

static void check_clip(const edl_clip *c, ms_rate r, bool drop, int lines)
{
    if (!c->reel || strlen(c->reel) == 0 || strlen(c->reel) > EDL_REEL_MAX) abort();
    check_str(c->reel, EDL_REEL_MAX);
    check_str(c->track, 16);
    if (c->src_out < c->src_in || c->rec_out < c->rec_in) abort();
    check_frames(c->src_in, r, drop);
    check_frames(c->src_out, r, drop);
    check_frames(c->rec_in, r, drop);
    check_frames(c->rec_out, r, drop);
    if (c->has_speed && (c->speed.den <= 0 || c->speed_src < 0)) abort();
    if (c->line < 1 || c->line > lines) abort();
}

static void check_list(const edl_list *l)
{
    const size_t max = 3 * EDL_LINE_MAX;
    check_str(l->title, max);
    for (size_t i = 0; i < l->ncomments; i++)
        check_str(l->comments[i], max);
    int prev = 0;
    for (size_t i = 0; i < l->nevents; i++) {
        const edl_event *ev = &l->events[i];
        if (ev->number > EDL_EVENT_MAX || ev->line < prev || ev->line > l->lines) abort();
        prev = ev->line;
        check_clip(&ev->clip, l->rate, ev->drop, l->lines);
        if (ev->has_from) {
            check_clip(&ev->from, l->rate, ev->drop, l->lines);
            if (ev->from.line != ev->line || ev->clip.line <= ev->from.line) abort();
        } else if (ev->clip.line != ev->line) {
            abort();
        }
        if (ev->transition == EDL_CUT && ev->duration != 0) abort();
        if (ev->duration < 0 || ev->duration > 999999) abort();
        check_str(ev->clip_name, max);
        check_str(ev->to_clip_name, max);
        check_str(ev->source_file, max);
        for (size_t k = 0; k < ev->ncomments; k++)
            check_str(ev->comments[k], max);
        for (size_t k = 0; k < ev->nmarkers; k++) {
            const edl_marker *m = &ev->markers[k];
            if (m->frames < 0 || m->line <= ev->line || m->line > l->lines) abort();
            check_str(m->colour, max);
            check_str(m->name, max);
            check_str(m->text, max);
        }
    }
    if (l->nerrors > EDL_ERRORS_MAX || l->nerrors > l->errors_total) abort();
    if (l->nerrors < EDL_ERRORS_MAX && l->nerrors != l->errors_total) abort();
    prev = 0;
    for (size_t i = 0; i < l->nerrors; i++) {
        if (l->errors[i].line < prev || l->errors[i].line > l->lines) abort();
        prev = l->errors[i].line;
        check_str(l->errors[i].message, sizeof l->errors[i].message);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_error e;
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        edl_list *l = NULL;
        int rc = edl_parse(data, size, 1 << 20, rates[i], &l, &e);
        if (rc == MS_OK) {
            check_list(l);
            edl_free(l);
        } else if (rc != MS_ETOOBIG && rc != MS_ENOMEM) {
            abort();
        }
    }

    /* The bytes as a label, at every rate, with and without the flags. */
    if (size <= 64) {
        for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
            for (unsigned flags = 0; flags < 4; flags++) {
                int64_t f, back;
                bool drop;
                if (ms_tc_parse((const char *)data, size, rates[i], flags, &f, &drop, &e)) continue;
                char s[MS_TC_LEN];
                unsigned out = (drop ? MS_TC_DROP : 0) | (flags & MS_TC_NOWRAP);
                if (f < 0 || ms_tc_format(f, rates[i], out, s, &e)) abort();
                if (ms_tc_parse(s, strlen(s), rates[i], flags & MS_TC_NOWRAP, &back, NULL, &e) ||
                    back != f)
                    abort();
            }
        }
        /* And as a frame rate. */
        char s[65];
        memcpy(s, data, size);
        s[size] = '\0';
        ms_rate r, r2;
        if (ms_rate_parse(s, &r, &e) == 0) {
            if (ms_rate_check(r, NULL, &e) || ms_rate_nominal(r) < 1) abort();
            char t[MS_RATE_LEN];
            ms_rate_fmt(r, t);
            if (ms_rate_parse(t, &r2, &e) || r2.num != r.num || r2.den != r.den) abort();
        }
    }
    return 0;
}
