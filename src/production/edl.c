/* edl.c: the CMX 3600 EDL reader of edl.h.
 *
 * One pass over the bytes, one line at a time: a line is classified by its first bytes (blank,
 * "*" comment, TITLE:, FCM:, M2, or an event line that starts with its number) and either
 * changes the list or adds one line error. Comment, LOC and M2 lines belong to the last event
 * read. Nothing a line says is trusted until it has been checked: numbers are bounded before
 * they are converted, timecodes go through core/timecode.c, names are re-encoded as clean
 * UTF-8, and no line is looked at past EDL_LINE_MAX bytes.
 *
 * Memory: strings live in the list's arena; the arrays (events, errors, comments, markers) are
 * malloc'd and grow by doubling, so memory stays proportional to the input, and the number of
 * errors kept is capped because a line error costs more than the line that caused it.
 *
 * Not here: writing EDLs, other EDL dialects (see edl.h), anything about assets or reels. */
#include "production/edl.h"

#include "core/buf.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 12 /* more fields than any line we read has */

typedef struct tok {
    const char *p;
    size_t n;
} tok;

typedef struct parser {
    edl_list *l;
    bool rate_drop; /* drop-frame exists at the caller's rate */
    bool fcm_drop;  /* the last FCM line said DROP FRAME */
    int line;       /* the current line's number */
    bool oom;
} parser;

/* ---- small helpers ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static void trim(const char **p, size_t *n)
{
    while (*n && is_space(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n && is_space((*p)[*n - 1]))
        (*n)--;
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Whether [p, p+n) starts with `prefix`, ignoring ASCII case. */
static bool prefix_ci(const char *p, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    if (n < k) return false;
    for (size_t i = 0; i < k; i++)
        if (upper(p[i]) != upper(prefix[i])) return false;
    return true;
}

static bool tok_is(tok t, const char *s)
{
    return t.n == strlen(s) && prefix_ci(t.p, t.n, s);
}

static bool all_digits(const char *p, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return false;
    return true;
}

/* Digits as a number; false for anything else or more than `max_digits` digits. */
static bool parse_uint(const char *p, size_t n, size_t max_digits, int64_t *v)
{
    if (n > max_digits || !all_digits(p, n)) return false;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = x * 10 + (p[i] - '0');
    *v = x;
    return true;
}

/* Split at spaces and tabs. Returns the number of fields, up to max + 1 (meaning "too many"). */
static size_t tokenize(const char *p, size_t n, tok *t, size_t max)
{
    size_t k = 0, i = 0;
    while (i < n) {
        while (i < n && is_space(p[i]))
            i++;
        if (i == n) break;
        size_t start = i;
        while (i < n && !is_space(p[i]))
            i++;
        if (k == max) return max + 1;
        t[k].p = p + start;
        t[k].n = i - start;
        k++;
    }
    return k;
}

/* ---- text ---- */

/* The length of the well-formed UTF-8 character at p (n bytes left) and its code point, or 0
 * when the bytes there are not one (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t len;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
        v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static bool is_control(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

/* Write [p, p+n) into out (cap bytes, NUL included) as clean text: well-formed characters as
 * they are, tabs as spaces, every other control character and every byte that does not start a
 * well-formed character as U+FFFD. Stops before a character that does not fit. Returns the
 * number of input bytes used. */
static size_t clean_into(char *out, size_t cap, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t o = 0, i = 0;
    while (i < n) {
        uint32_t cp = 0;
        size_t len = utf8_char(s + i, n - i, &cp);
        const char *w;
        size_t wn;
        if (len > 0 && !is_control(cp)) {
            w = p + i;
            wn = len;
        } else if (len == 1 && cp == '\t') {
            w = " ";
            wn = 1;
        } else {
            w = "\xEF\xBF\xBD";
            wn = 3;
            if (len == 0) len = 1;
        }
        if (o + wn + 1 > cap) break;
        memcpy(out + o, w, wn);
        o += wn;
        i += len;
    }
    if (cap) out[o] = '\0';
    return i;
}

/* Whether [p, p+n) is clean text already: well-formed UTF-8 without control characters. */
static bool is_clean(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_char(s + i, n - i, &cp);
        if (len == 0 || is_control(cp)) return false;
        i += len;
    }
    return true;
}

/* A trimmed, clean copy in the arena. */
static char *text(parser *ps, const char *p, size_t n)
{
    trim(&p, &n);
    size_t cap = 3 * n + 1; /* n <= EDL_LINE_MAX: no overflow */
    char *s = ms_arena_alloc(&ps->l->arena, cap);
    if (!s) {
        ps->oom = true;
        return NULL;
    }
    clean_into(s, cap, p, n);
    return s;
}

/* A field of the input, shortened and cleaned for an error message. */
static const char *show(tok t, char out[48])
{
    if (clean_into(out, 40, t.p, t.n) < t.n) {
        size_t k = strlen(out);
        memcpy(out + k, "...", 4);
    }
    return out;
}

/* ---- growth and errors ---- */

/* Room for one more element in a malloc'd array holding n: the capacity is 4, then the next
 * power of two, so it follows from n and need not be stored. Returns the (maybe moved) array,
 * or NULL when memory ran out (the old array is still valid then). */
static void *grow(void *arr, size_t n, size_t elem)
{
    if (n > 0 && (n < 4 || (n & (n - 1)) != 0)) return arr;
    size_t cap = n == 0 ? 4 : 2 * n;
    if (cap > SIZE_MAX / elem) return NULL;
    return realloc(arr, cap * elem);
}

static void line_error(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line_error(parser *ps, const char *fmt, ...)
{
    edl_list *l = ps->l;
    l->errors_total++;
    if (l->nerrors >= EDL_ERRORS_MAX) return;
    edl_line_error *a = grow(l->errors, l->nerrors, sizeof *l->errors);
    if (!a) {
        ps->oom = true;
        return;
    }
    l->errors = a;
    edl_line_error *x = &l->errors[l->nerrors++];
    x->line = ps->line;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(x->message, sizeof x->message, fmt, ap);
    va_end(ap);
    /* A cut-off message must not end inside a character. */
    if (k >= (int)sizeof x->message)
        x->message[ms_utf8_whole(x->message, sizeof x->message - 1)] = '\0';
}

static bool add_string(parser *ps, char ***arr, size_t *n, char *s)
{
    if (!s) return false;
    char **a = grow(*arr, *n, sizeof **arr);
    if (!a) {
        ps->oom = true;
        return false;
    }
    *arr = a;
    a[(*n)++] = s;
    return true;
}

static edl_event *last_event(parser *ps)
{
    return ps->l->nevents ? &ps->l->events[ps->l->nevents - 1] : NULL;
}

/* ---- TITLE:, FCM: ---- */

static void title_line(parser *ps, const char *p, size_t n)
{
    if (ps->l->title) {
        line_error(ps, "A second TITLE line; the first is kept.");
        return;
    }
    ps->l->title = text(ps, p + 6, n - 6);
}

static void fcm_line(parser *ps, const char *p, size_t n)
{
    p += 4;
    n -= 4;
    trim(&p, &n);
    tok t[4];
    size_t k = tokenize(p, n, t, 3);
    if (k == 2 && tok_is(t[0], "DROP") && tok_is(t[1], "FRAME")) {
        if (!ps->rate_drop) {
            char r[MS_RATE_LEN];
            ms_rate_fmt(ps->l->rate, r);
            line_error(ps,
                       "FCM: DROP FRAME, but drop-frame does not exist at %s fps (only at 29.97 "
                       "and 59.94); the timecodes that follow are read as non-drop.",
                       r);
            ps->fcm_drop = false;
            return;
        }
        ps->fcm_drop = true;
    } else if ((k == 2 && tok_is(t[0], "NON-DROP") && tok_is(t[1], "FRAME")) ||
               (k == 3 && tok_is(t[0], "NON") && tok_is(t[1], "DROP") && tok_is(t[2], "FRAME"))) {
        ps->fcm_drop = false;
    } else {
        line_error(ps, "FCM must be DROP FRAME or NON-DROP FRAME.");
    }
}

/* ---- comments: FROM CLIP NAME, TO CLIP NAME, SOURCE FILE, LOC, and the rest ---- */

static const char *const colours[] = {"RED",   "GREEN", "BLUE",   "CYAN", "MAGENTA", "YELLOW",
                                      "WHITE", "BLACK", "ORANGE", "PINK", "PURPLE",  NULL};

static bool is_colour(tok t)
{
    for (size_t i = 0; colours[i]; i++)
        if (tok_is(t, colours[i])) return true;
    /* DaVinci Resolve writes its marker colours as ResolveColorBlue and so on. */
    return prefix_ci(t.p, t.n, "ResolveColor") && t.n > 12;
}

static void loc_line(parser *ps, edl_event *ev, const char *p, size_t n)
{
    tok t[3];
    size_t k = tokenize(p, n, t, 2);
    if (k == 0) {
        line_error(ps, "LOC without a timecode.");
        return;
    }
    char sh[48];
    int64_t f;
    ms_error e;
    if (ms_tc_parse(t[0].p, t[0].n, ps->l->rate, ev->drop ? MS_TC_DROP : 0, &f, NULL, &e)) {
        line_error(ps, "LOC timecode \"%s\": %s", show(t[0], sh), e.detail);
        return;
    }
    edl_marker m = {.frames = f, .line = ps->line};
    const char *rest = t[0].p + t[0].n;
    size_t restn = (size_t)(p + n - rest);
    trim(&rest, &restn);
    k = tokenize(rest, restn, t, 1);
    if (k >= 1 && is_colour(t[0])) {
        if (!(m.colour = text(ps, t[0].p, t[0].n))) return;
        rest = t[0].p + t[0].n;
        restn = (size_t)(p + n - rest);
        trim(&rest, &restn);
        k = tokenize(rest, restn, t, 1);
    }
    if (k >= 1) {
        if (!(m.name = text(ps, t[0].p, t[0].n))) return;
        rest = t[0].p + t[0].n;
        restn = (size_t)(p + n - rest);
        trim(&rest, &restn);
        if (restn && !(m.text = text(ps, rest, restn))) return;
    }
    edl_marker *a = grow(ev->markers, ev->nmarkers, sizeof *ev->markers);
    if (!a) {
        ps->oom = true;
        return;
    }
    ev->markers = a;
    ev->markers[ev->nmarkers++] = m;
}

/* A named field of the event ("FROM CLIP NAME"): kept once. */
static void set_once(parser *ps, edl_event *ev, char **field, const char *what, const char *p,
                     size_t n)
{
    if (*field) {
        line_error(ps, "Event %u already has a %s; the first is kept.", (unsigned)ev->number, what);
        return;
    }
    *field = text(ps, p, n);
}

static void comment_line(parser *ps, const char *p, size_t n)
{
    p++; /* the '*' */
    n--;
    trim(&p, &n);
    static const struct {
        const char *key;
        const char *what;
    } keys[] = {{"FROM CLIP NAME:", "FROM CLIP NAME"},
                {"TO CLIP NAME:", "TO CLIP NAME"},
                {"SOURCE FILE:", "SOURCE FILE"},
                {"LOC:", "LOC"}};
    size_t which = 0;
    while (which < 4 && !prefix_ci(p, n, keys[which].key))
        which++;
    edl_event *ev = last_event(ps);
    if (which == 4) {
        char *s = text(ps, p, n);
        if (ev)
            add_string(ps, &ev->comments, &ev->ncomments, s);
        else
            add_string(ps, &ps->l->comments, &ps->l->ncomments, s);
        return;
    }
    if (!ev) {
        line_error(ps, "%s before the first event.", keys[which].what);
        return;
    }
    size_t k = strlen(keys[which].key);
    p += k;
    n -= k;
    trim(&p, &n);
    switch (which) {
    case 0:
        set_once(ps, ev, &ev->clip_name, keys[which].what, p, n);
        break;
    case 1:
        set_once(ps, ev, &ev->to_clip_name, keys[which].what, p, n);
        break;
    case 2:
        set_once(ps, ev, &ev->source_file, keys[which].what, p, n);
        break;
    default:
        loc_line(ps, ev, p, n);
        break;
    }
}

/* ---- M2: motion memory ---- */

/* A speed in frames per second: optional sign, up to 6 digits, optional '.' and up to 6 more. */
static bool parse_speed(tok t, ms_rational *out)
{
    const char *p = t.p;
    size_t n = t.n;
    bool neg = false;
    if (n && (*p == '-' || *p == '+')) {
        neg = *p == '-';
        p++;
        n--;
    }
    const char *dot = memchr(p, '.', n);
    size_t wn = dot ? (size_t)(dot - p) : n, fn = dot ? n - wn - 1 : 0;
    int64_t w, f = 0, den = 1;
    if (!parse_uint(p, wn, 6, &w)) return false;
    if (dot) {
        if (!parse_uint(dot + 1, fn, 6, &f)) return false;
        for (size_t i = 0; i < fn; i++)
            den *= 10;
    }
    int64_t num = w * den + f; /* < 10^13 */
    int64_t a = num, b = den;
    while (b) {
        int64_t r = a % b;
        a = b;
        b = r;
    }
    out->num = (neg ? -num : num) / (a ? a : 1);
    out->den = den / (a ? a : 1);
    return true;
}

static void m2_line(parser *ps, tok *t, size_t k)
{
    char sh[48];
    edl_event *ev = last_event(ps);
    if (k != 4) {
        line_error(ps, "An M2 line is M2, a reel, a speed in frames per second and a timecode.");
        return;
    }
    if (!ev) {
        line_error(ps, "M2 before the first event.");
        return;
    }
    ms_rational speed;
    if (!parse_speed(t[2], &speed)) {
        line_error(ps, "M2 speed \"%s\" is not a number of frames per second such as 048.0.",
                   show(t[2], sh));
        return;
    }
    int64_t f;
    ms_error e;
    if (ms_tc_parse(t[3].p, t[3].n, ps->l->rate, ev->drop ? MS_TC_DROP : 0, &f, NULL, &e)) {
        line_error(ps, "M2 timecode \"%s\": %s", show(t[3], sh), e.detail);
        return;
    }
    /* The clip of that reel: the incoming one first, then the outgoing one. */
    edl_clip *c = NULL;
    bool reel_found = false;
    edl_clip *sides[2] = {&ev->clip, ev->has_from ? &ev->from : NULL};
    for (int i = 0; i < 2 && !c; i++) {
        edl_clip *s = sides[i];
        if (!s || strlen(s->reel) != t[1].n || memcmp(s->reel, t[1].p, t[1].n) != 0) continue;
        reel_found = true;
        if (!s->has_speed) c = s;
    }
    if (!c) {
        if (reel_found)
            line_error(ps, "Event %u already has a speed for reel %s.", (unsigned)ev->number,
                       show(t[1], sh));
        else
            line_error(ps, "M2 names reel %s, which event %u does not use.", show(t[1], sh),
                       (unsigned)ev->number);
        return;
    }
    c->has_speed = true;
    c->speed = speed;
    c->speed_src = f;
}

/* ---- event lines ---- */

/* "V", "A", "A2", "AA", "B", "NONE", and combinations with '/': "AA/V", "A2/V". */
static bool parse_track(tok t, uint64_t *mask)
{
    *mask = 0;
    if (t.n == 0 || t.n > 15) return false;
    if (tok_is(t, "NONE")) return true;
    size_t i = 0;
    while (i <= t.n) {
        size_t j = i;
        while (j < t.n && t.p[j] != '/')
            j++;
        tok part = {t.p + i, j - i};
        int64_t ch;
        if (tok_is(part, "V"))
            *mask |= 1;
        else if (tok_is(part, "B"))
            *mask |= 1 | 2;
        else if (tok_is(part, "A"))
            *mask |= 2;
        else if (tok_is(part, "AA"))
            *mask |= 2 | 4;
        else if (part.n >= 2 && upper(part.p[0]) == 'A' && part.p[1] != '0' &&
                 parse_uint(part.p + 1, part.n - 1, 2, &ch) && ch >= 1 && ch <= 63)
            *mask |= (uint64_t)1 << ch;
        else
            return false;
        i = j + 1;
    }
    return true;
}

/* The transition fields between the track and the timecodes: "C", "D 030", "W001 030",
 * "W 030", "K B", "KB", "K 000", "KO 000", "K O 000". */
static bool parse_transition(const tok *t, size_t k, edl_transition *kind, int *wipe, int64_t *dur)
{
    *wipe = -1;
    *dur = 0;
    if (k == 0) return false;
    tok a = t[0];
    const tok *rest = t + 1;
    size_t nrest = k - 1;
    int64_t v;
    if (tok_is(a, "C")) {
        *kind = EDL_CUT;
        return nrest == 0;
    }
    if (tok_is(a, "D")) {
        *kind = EDL_DISSOLVE;
    } else if (a.n >= 1 && upper(a.p[0]) == 'W') {
        *kind = EDL_WIPE;
        if (a.n > 1) {
            if (!parse_uint(a.p + 1, a.n - 1, 3, &v)) return false;
            *wipe = (int)v;
        }
    } else if (tok_is(a, "K") || tok_is(a, "KB") || tok_is(a, "KO")) {
        *kind = a.n == 1 ? EDL_KEY : upper(a.p[1]) == 'B' ? EDL_KEY_BACKGROUND : EDL_KEY_OUT;
        if (a.n == 1 && nrest >= 1 && (tok_is(rest[0], "B") || tok_is(rest[0], "O"))) {
            *kind = tok_is(rest[0], "B") ? EDL_KEY_BACKGROUND : EDL_KEY_OUT;
            rest++;
            nrest--;
        }
        /* A key's duration may be left out. */
        if (nrest == 0) return true;
    } else {
        return false;
    }
    if (nrest != 1 || !parse_uint(rest[0].p, rest[0].n, 6, &v)) return false;
    *dur = v;
    return true;
}

static bool has_drop_separator(tok t)
{
    return memchr(t.p, ';', t.n) || memchr(t.p, '.', t.n);
}

static const char *const tc_names[4] = {"source in", "source out", "record in", "record out"};

static void event_line(parser *ps, tok *t, size_t k)
{
    char sh[48], sh2[48];
    edl_list *l = ps->l;
    if (k > 10) {
        line_error(ps, "An event line with too many fields.");
        return;
    }
    if (k < 8) {
        line_error(ps, "An event line needs a number, a reel, a track, a transition and four "
                       "timecodes; this one is cut short.");
        return;
    }
    int64_t num;
    if (!parse_uint(t[0].p, t[0].n, 18, &num) || num > EDL_EVENT_MAX) {
        line_error(ps, "Event number %s is out of range (0 to %d).", show(t[0], sh), EDL_EVENT_MAX);
        return;
    }
    if (t[1].n > EDL_REEL_MAX) {
        line_error(ps, "Event %u: the reel name is longer than %d bytes.", (unsigned)num,
                   EDL_REEL_MAX);
        return;
    }
    if (!is_clean(t[1].p, t[1].n)) {
        line_error(ps, "Event %u: the reel name is not clean UTF-8 text.", (unsigned)num);
        return;
    }
    uint64_t channels;
    if (!parse_track(t[2], &channels)) {
        line_error(ps, "Event %u: \"%s\" is not a track (V, A, A2, AA, AA/V, B, NONE...).",
                   (unsigned)num, show(t[2], sh));
        return;
    }
    edl_transition kind;
    int wipe;
    int64_t dur;
    if (!parse_transition(t + 3, k - 7, &kind, &wipe, &dur)) {
        line_error(ps,
                   "Event %u: \"%s\" is not a transition (C, D nnn, W nnn, Wnnn nnn, K B, "
                   "K nnn, KO nnn).",
                   (unsigned)num, show(t[3], sh));
        return;
    }
    /* Drop-frame when the FCM says so or a timecode is written with ';' or '.': all four are
     * then read as drop-frame (CMX writes drop-frame timecodes with colons under FCM). */
    const tok *tc = t + k - 4;
    bool drop = ps->fcm_drop;
    for (int i = 0; i < 4; i++)
        drop = drop || has_drop_separator(tc[i]);
    int64_t f[4];
    for (int i = 0; i < 4; i++) {
        ms_error e;
        if (ms_tc_parse(tc[i].p, tc[i].n, l->rate, drop ? MS_TC_DROP : 0, &f[i], NULL, &e)) {
            line_error(ps, "Event %u: %s \"%s\": %s", (unsigned)num, tc_names[i], show(tc[i], sh),
                       e.detail);
            return;
        }
    }
    for (int i = 0; i < 4; i += 2) {
        if (f[i + 1] < f[i]) {
            line_error(ps, "Event %u: %s %s is before %s %s.", (unsigned)num, tc_names[i + 1],
                       show(tc[i + 1], sh), tc_names[i], show(tc[i], sh2));
            return;
        }
    }
    edl_clip c = {.channels = channels,
                  .src_in = f[0],
                  .src_out = f[1],
                  .rec_in = f[2],
                  .rec_out = f[3],
                  .line = ps->line};

    /* The second line of a transition joins the event before it. */
    edl_event *last = last_event(ps);
    if (last && last->number == (uint32_t)num) {
        bool pair =
            !last->has_from &&
            ((last->transition == EDL_CUT && kind != EDL_CUT && kind != EDL_KEY_BACKGROUND) ||
             (last->transition == EDL_KEY_BACKGROUND && (kind == EDL_KEY || kind == EDL_KEY_OUT)));
        if (!pair) {
            line_error(ps,
                       "Event %u repeats the number of the event before it (line %d) without "
                       "completing a transition: only a cut (or K B) followed by one D, W or K "
                       "line makes a two-line event.",
                       (unsigned)num, last->line);
            return;
        }
        if (last->drop != drop) {
            line_error(ps,
                       "The two lines of event %u count timecode differently (drop-frame "
                       "and non-drop).",
                       (unsigned)num);
            return;
        }
    } else {
        last = NULL;
    }
    if (!(c.reel = ms_arena_strndup(&l->arena, t[1].p, t[1].n))) {
        ps->oom = true;
        return;
    }
    if (!(c.track = ms_arena_strndup(&l->arena, t[2].p, t[2].n))) {
        ps->oom = true;
        return;
    }
    for (char *q = c.track; *q; q++)
        *q = upper(*q);
    if (last) {
        last->from = last->clip;
        last->has_from = true;
        last->clip = c;
        last->transition = kind;
        last->wipe = wipe;
        last->duration = dur;
        return;
    }
    edl_event *a = grow(l->events, l->nevents, sizeof *l->events);
    if (!a) {
        ps->oom = true;
        return;
    }
    l->events = a;
    edl_event *ev = &l->events[l->nevents++];
    memset(ev, 0, sizeof *ev);
    ev->number = (uint32_t)num;
    ev->line = ps->line;
    ev->transition = kind;
    ev->wipe = wipe;
    ev->duration = dur;
    ev->clip = c;
    ev->drop = drop;
}

/* ---- lines ---- */

static void parse_line(parser *ps, const char *p, size_t n)
{
    if (n > EDL_LINE_MAX) {
        line_error(ps, "A line longer than %d bytes; skipped.", EDL_LINE_MAX);
        return;
    }
    trim(&p, &n);
    if (n == 0) return;
    if (p[0] == '*') {
        comment_line(ps, p, n);
        return;
    }
    if (prefix_ci(p, n, "TITLE:")) {
        title_line(ps, p, n);
        return;
    }
    if (prefix_ci(p, n, "FCM:")) {
        fcm_line(ps, p, n);
        return;
    }
    tok t[MAX_TOKENS + 1];
    size_t k = tokenize(p, n, t, MAX_TOKENS);
    char sh[48];
    if (tok_is(t[0], "M2")) {
        m2_line(ps, t, k);
    } else if (all_digits(t[0].p, t[0].n)) {
        event_line(ps, t, k);
    } else {
        line_error(ps, "Not an EDL line (it starts with \"%s\").", show(t[0], sh));
    }
}

void edl_free(edl_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->nevents; i++) {
        free(l->events[i].markers);
        free(l->events[i].comments);
    }
    free(l->events);
    free(l->comments);
    free(l->errors);
    ms_arena_free(&l->arena);
    free(l);
}

int edl_parse(const void *data, size_t size, size_t max_bytes, ms_rate rate, edl_list **out,
              ms_error *e)
{
    *out = NULL;
    if (size > max_bytes)
        return ms_fail(e, MS_ETOOBIG, NULL, "The EDL is larger than %zu bytes.", max_bytes);
    ms_rate norm;
    if (ms_rate_check(rate, &norm, e)) return MS_EINVAL;
    edl_list *l = calloc(1, sizeof *l);
    if (!l) return ms_fail(e, MS_ENOMEM, NULL, "Out of memory reading an EDL.");
    ms_arena_init(&l->arena, 16384);
    l->rate = norm;
    parser ps = {.l = l, .rate_drop = ms_rate_has_drop(norm)};
    const char *d = data;
    size_t i = 0;
    if (size >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) i = 3; /* a UTF-8 byte order mark */
    while (i < size && !ps.oom) {
        size_t start = i;
        while (i < size && d[i] != '\n' && d[i] != '\r')
            i++;
        size_t end = i;
        if (i < size) i += d[i] == '\r' && i + 1 < size && d[i + 1] == '\n' ? 2 : 1;
        if (ps.line == INT_MAX) {
            line_error(&ps, "More than %d lines; the rest is not read.", INT_MAX - 1);
            break;
        }
        ps.line++;
        parse_line(&ps, d + start, end - start);
    }
    l->lines = ps.line;
    if (ps.oom) {
        edl_free(l);
        return ms_fail(e, MS_ENOMEM, NULL, "Out of memory reading an EDL.");
    }
    *out = l;
    return MS_OK;
}

const char *edl_transition_name(edl_transition t)
{
    switch (t) {
    case EDL_CUT:
        return "cut";
    case EDL_DISSOLVE:
        return "dissolve";
    case EDL_WIPE:
        return "wipe";
    case EDL_KEY:
        return "key";
    case EDL_KEY_BACKGROUND:
        return "key-background";
    case EDL_KEY_OUT:
        return "key-out";
    }
    return "unknown";
}
