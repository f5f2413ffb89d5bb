/* timecode.c: SMPTE ST 12-1 labels and frame counts, frame rates and the rational conversions
 * between frames and time. See timecode.h for the rules; this file keeps the arithmetic.
 *
 * Not here: anything about files, streams or EDLs (src/production/edl.c reads those and calls
 * this). No allocation, no state. */
#include "core/timecode.h"

#include <stdio.h>
#include <string.h>

/* ---- rates ---- */

/* A checked rate: its nominal (counting) rate and its exact value num/den in normal form. */
typedef struct rate_info {
    int nominal; /* N: frames counted per second of labels */
    int64_t num; /* N or N*1000 */
    int64_t den; /* 1 or 1001 */
    int drop;    /* labels left out each minute in drop-frame: 2, 4, or 0 (no drop-frame) */
} rate_info;

/* The greatest common divisor of |a| and |b|, for b != 0 (so that it is at most |b| and fits;
 * |INT64_MIN| is computed unsigned). */
static int64_t gcd64(int64_t a, int64_t b)
{
    uint64_t x = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
    uint64_t y = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
    while (y) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return (int64_t)x;
}

static bool rate_info_of(ms_rate r, rate_info *ri)
{
    if (r.num <= 0 || r.den <= 0) return false;
    int64_t g = gcd64(r.num, r.den);
    int64_t n = r.num / g, d = r.den / g;
    int64_t nominal;
    if (d == 1) {
        nominal = n;
        ri->num = n;
        ri->den = 1;
    } else {
        /* n/d == N*1000/1001 exactly when n*1001 == N*1000*d for a whole N. n < 2^31, so the
         * product cannot overflow. */
        int64_t t = n * 1001;
        if (t % (1000 * d) != 0) return false;
        nominal = t / (1000 * d);
        ri->num = nominal * 1000;
        ri->den = 1001;
    }
    if (nominal < 1 || nominal > MS_RATE_NOMINAL_MAX) return false;
    ri->nominal = (int)nominal;
    /* ST 12-1 drop-frame: 2 labels a minute at 30000/1001, 4 at 60000/1001 (its double). */
    ri->drop = ri->den == 1001 && (nominal == 30 || nominal == 60) ? (int)nominal / 15 : 0;
    return true;
}

static int rate_fail(ms_error *e, ms_rate r)
{
    return ms_fail(e, MS_EINVAL, NULL,
                   "%ld/%ld is not a timecode frame rate: use a whole rate from 1 to %d fps or a "
                   "1001 rate such as 24000/1001, 30000/1001 or 60000/1001.",
                   (long)r.num, (long)r.den, MS_RATE_NOMINAL_MAX);
}

int ms_rate_check(ms_rate r, ms_rate *norm, ms_error *e)
{
    rate_info ri;
    if (!rate_info_of(r, &ri)) return rate_fail(e, r);
    if (norm) {
        norm->num = (int32_t)ri.num;
        norm->den = (int32_t)ri.den;
    }
    return MS_OK;
}

int ms_rate_nominal(ms_rate r)
{
    rate_info ri;
    return rate_info_of(r, &ri) ? ri.nominal : 0;
}

bool ms_rate_has_drop(ms_rate r)
{
    rate_info ri;
    return rate_info_of(r, &ri) && ri.drop > 0;
}

void ms_rate_fmt(ms_rate r, char out[MS_RATE_LEN])
{
    rate_info ri;
    if (!rate_info_of(r, &ri)) {
        snprintf(out, MS_RATE_LEN, "?");
        return;
    }
    if (ri.den == 1) {
        snprintf(out, MS_RATE_LEN, "%d", ri.nominal);
        return;
    }
    /* N*1000/1001 to three decimals, rounded, trailing zeros dropped: 23.976, 29.97, 59.94. */
    int64_t milli = (ri.num * 1000 + ri.den / 2) / ri.den;
    int len = snprintf(out, MS_RATE_LEN, "%ld.%03ld", (long)(milli / 1000), (long)(milli % 1000));
    while (len > 0 && out[len - 1] == '0')
        out[--len] = '\0';
    if (len > 0 && out[len - 1] == '.') out[--len] = '\0';
}

/* Digits [p, p+n) as a number; false when any byte is not a digit, n is 0 or more than 18. */
static bool parse_digits(const char *p, size_t n, int64_t *v)
{
    if (n == 0 || n > 18) return false;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        x = x * 10 + (p[i] - '0');
    }
    *v = x;
    return true;
}

int ms_rate_parse(const char *s, ms_rate *out, ms_error *e)
{
    if (!s) return ms_fail(e, MS_EINVAL, NULL, "A frame rate is required.");
    size_t n = strlen(s);
    const char *slash = memchr(s, '/', n), *dot = memchr(s, '.', n);
    int64_t a, b;
    ms_rate r;
    if (slash) {
        size_t i = (size_t)(slash - s);
        if (!parse_digits(s, i, &a) || !parse_digits(slash + 1, n - i - 1, &b) || a > INT32_MAX ||
            b > INT32_MAX)
            goto bad;
        r.num = (int32_t)a;
        r.den = (int32_t)b;
        return ms_rate_check(r, out, e);
    }
    if (!dot) {
        if (!parse_digits(s, n, &a) || a > INT32_MAX) goto bad;
        r.num = (int32_t)a;
        r.den = 1;
        return ms_rate_check(r, out, e);
    }
    /* A decimal: whole part w, fraction f of k digits, value v = (w*10^k + f) / 10^k. */
    size_t wn = (size_t)(dot - s), k = n - wn - 1;
    int64_t w, f;
    if (wn > 4 || k > 9 || !parse_digits(s, wn, &w) || !parse_digits(dot + 1, k, &f)) goto bad;
    if (f == 0) {
        r.num = (int32_t)w;
        r.den = 1;
        return ms_rate_check(r, out, e);
    }
    int64_t p10 = 1;
    for (size_t i = 0; i < k; i++)
        p10 *= 10;
    int64_t v = w * p10 + f; /* < 10^13 */
    /* The 1001 rate N*1000/1001 just below N = w+1 matches when v, with at least two decimals,
     * is that rate rounded to k decimals: |v/10^k - N*1000/1001| <= 1/(2*10^k), that is
     * 2*|1001*v - N*1000*10^k| <= 1001. Everything stays below 10^17. */
    int64_t nominal = w + 1;
    int64_t diff = 1001 * v - nominal * 1000 * p10;
    if (diff < 0) diff = -diff;
    if (k < 2 || 2 * diff > 1001) {
        return ms_fail(e, MS_EINVAL, NULL,
                       "%s is not a timecode frame rate: use a whole rate or a 1001 rate such "
                       "as 23.976, 29.97 or 59.94.",
                       s);
    }
    r.num = (int32_t)(nominal * 1000);
    r.den = 1001;
    return ms_rate_check(r, out, e);
bad:
    return ms_fail(e, MS_EINVAL, NULL,
                   "A frame rate is a number such as 24, 25, 29.97 or 23.976, or a fraction such "
                   "as 24000/1001.");
}

int64_t ms_tc_day_frames(ms_rate r, bool drop)
{
    rate_info ri;
    if (!rate_info_of(r, &ri) || (drop && !ri.drop)) return 0;
    int64_t day = (int64_t)ri.nominal * 86400;
    /* Drop-frame leaves out `drop` labels in 9 of every 10 minutes: 144 ten-minute blocks. */
    return drop ? day - (int64_t)ri.drop * 9 * 144 : day;
}

/* ---- labels ---- */

/* The label fields of a frame count (drop-frame when ri->drop and `drop`). The count is >= 0. */
static void frames_to_fields(int64_t f, const rate_info *ri, bool drop, int64_t *hh, int *mm,
                             int *ss, int *ff)
{
    int64_t n = ri->nominal;
    if (drop) {
        /* Each ten minutes hold 10*60*n labels less 9*d left out; the first minute of a block
         * keeps all 60*n, the nine others hold 60*n - d each. Put the left-out labels back to
         * get the count of labels, which then splits like non-drop. */
        int64_t d = ri->drop;
        int64_t per10 = 600 * n - 9 * d, per1 = 60 * n - d;
        int64_t blocks = f / per10, rem = f % per10;
        int64_t skipped = 9 * d * blocks;
        if (rem >= 60 * n) skipped += d * (1 + (rem - 60 * n) / per1);
        f += skipped;
    }
    *ff = (int)(f % n);
    int64_t secs = f / n;
    *ss = (int)(secs % 60);
    *mm = (int)(secs / 60 % 60);
    *hh = secs / 3600;
}

/* Write v in at least `width` digits at p; returns the number of bytes written. */
static size_t put_num(char *p, int64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n < width)
        tmp[n++] = '0';
    for (int i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return (size_t)n;
}

int ms_tc_format(int64_t frames, ms_rate r, unsigned flags, char out[MS_TC_LEN], ms_error *e)
{
    out[0] = '\0';
    rate_info ri;
    if (!rate_info_of(r, &ri)) return rate_fail(e, r);
    bool drop = flags & MS_TC_DROP;
    if (drop && !ri.drop)
        return ms_fail(e, MS_EINVAL, NULL,
                       "Drop-frame timecode exists only at 29.97 and 59.94 fps (30000/1001 and "
                       "60000/1001).");
    if (frames < 0)
        return ms_fail(e, MS_EINVAL, NULL, "A timecode cannot be negative (frame %lld).",
                       (long long)frames);
    if (!(flags & MS_TC_NOWRAP)) frames %= ms_tc_day_frames(r, drop);
    int64_t hh;
    int mm, ss, ff;
    frames_to_fields(frames, &ri, drop, &hh, &mm, &ss, &ff);
    /* At most 19 hour digits + ":MM:SS;FFFF": well inside MS_TC_LEN. */
    size_t o = put_num(out, hh, 2);
    out[o++] = ':';
    o += put_num(out + o, mm, 2);
    out[o++] = ':';
    o += put_num(out + o, ss, 2);
    out[o++] = drop ? ';' : ':';
    o += put_num(out + o, ff, ri.nominal > 100 ? 3 : 2);
    out[o] = '\0';
    return MS_OK;
}

/* Exactly `width` digits at p, or -1. */
static int64_t field(const char *p, size_t width)
{
    int64_t v;
    return parse_digits(p, width, &v) ? v : -1;
}

int ms_tc_parse(const char *s, size_t n, ms_rate r, unsigned flags, int64_t *frames, bool *drop,
                ms_error *e)
{
    *frames = 0;
    if (drop) *drop = false;
    rate_info ri;
    if (!rate_info_of(r, &ri)) return rate_fail(e, r);
    size_t fw = ri.nominal > 100 ? 3 : 2;
    /* The hours are everything before the first separator: 2 digits, up to 9 when allowed. */
    size_t hw = 0;
    while (hw < n && s[hw] >= '0' && s[hw] <= '9')
        hw++;
    size_t hmax = flags & MS_TC_NOWRAP ? 9 : 2;
    if (hw < 2 || hw > hmax || n != hw + 1 + 2 + 1 + 2 + 1 + fw) goto bad;
    char s1 = s[hw], s2 = s[hw + 3], s3 = s[hw + 6];
    bool df;
    if (s1 == ':' && s2 == ':' && s3 == ':')
        df = flags & MS_TC_DROP;
    else if (s1 == ':' && s2 == ':' && (s3 == ';' || s3 == '.'))
        df = true;
    else if (s1 == ';' && s2 == ';' && s3 == ';')
        df = true;
    else
        goto bad;
    int64_t hh = field(s, hw), mm = field(s + hw + 1, 2), ss = field(s + hw + 4, 2),
            ff = field(s + hw + 7, fw);
    if (hh < 0 || mm < 0 || ss < 0 || ff < 0) goto bad;
    if (df && !ri.drop) {
        char rs[MS_RATE_LEN];
        ms_rate_fmt(r, rs);
        return ms_fail(e, MS_EINVAL, NULL,
                       "%.*s is a drop-frame timecode, but drop-frame does not exist at %s fps "
                       "(only at 29.97 and 59.94).",
                       (int)n, s, rs);
    }
    if ((!(flags & MS_TC_NOWRAP) && hh > 23) || mm > 59 || ss > 59 || ff >= ri.nominal) {
        return ms_fail(e, MS_EINVAL, NULL,
                       "%.*s is out of range: hours 00-23, minutes and seconds 00-59, frames "
                       "below %d.",
                       (int)n, s, ri.nominal);
    }
    if (df && ss == 0 && ff < ri.drop && mm % 10 != 0) {
        return ms_fail(e, MS_EINVAL, NULL,
                       "%.*s does not exist in drop-frame timecode: frames 00 to %02d of each "
                       "minute not divisible by ten are left out.",
                       (int)n, s, ri.drop - 1);
    }
    /* hh < 10^9 and nominal <= 1000 keep every product below 4*10^15: no overflow. */
    int64_t minutes = hh * 60 + mm;
    int64_t f = (minutes * 60 + ss) * ri.nominal + ff;
    if (df) f -= ri.drop * (minutes - minutes / 10);
    *frames = f;
    if (drop) *drop = df;
    return MS_OK;
bad:
    /* The input is not echoed: it may be any bytes at all. */
    return ms_fail(e, MS_EINVAL, NULL,
                   "Not a timecode: write HH:MM:SS:FF (drop-frame HH:MM:SS;FF).");
}

/* ---- conversions ---- */

/* round(a * b / c) with c > 0, halves away from zero; false on overflow. */
static bool mul_div_round(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    /* Reduce first, so that ordinary rates never come near the limits. */
    int64_t g = gcd64(b, c);
    if (g > 1) {
        b /= g;
        c /= g;
    }
    g = gcd64(a, c);
    if (g > 1) {
        a /= g;
        c /= g;
    }
    int64_t p;
    if (__builtin_mul_overflow(a, b, &p)) return false;
    int64_t q = p / c, r = p % c;
    if (r < 0) r = -r;
    if (r >= c - r) q += p < 0 ? -1 : 1;
    *out = q;
    return true;
}

static int range_fail(ms_error *e)
{
    return ms_fail(e, MS_EINVAL, NULL, "The result does not fit in a 64-bit frame count.");
}

int ms_tc_frames_to_seconds(int64_t frames, ms_rate r, ms_rational *secs, ms_error *e)
{
    rate_info ri;
    if (!rate_info_of(r, &ri)) return rate_fail(e, r);
    int64_t num;
    if (__builtin_mul_overflow(frames, ri.den, &num)) return range_fail(e);
    int64_t g = gcd64(num, ri.num);
    secs->num = num / g;
    secs->den = ri.num / g;
    return MS_OK;
}

int ms_tc_seconds_to_frames(ms_rational secs, ms_rate r, int64_t *frames, ms_error *e)
{
    rate_info ri;
    if (!rate_info_of(r, &ri)) return rate_fail(e, r);
    if (secs.den <= 0) return ms_fail(e, MS_EINVAL, NULL, "A time's denominator must be positive.");
    int64_t c;
    if (__builtin_mul_overflow(secs.den, ri.den, &c)) return range_fail(e);
    if (!mul_div_round(secs.num, ri.num, c, frames)) return range_fail(e);
    return MS_OK;
}

int ms_tc_frames_to_ms(int64_t frames, ms_rate r, int64_t *ms, ms_error *e)
{
    rate_info ri;
    if (!rate_info_of(r, &ri)) return rate_fail(e, r);
    if (!mul_div_round(frames, ri.den * 1000, ri.num, ms)) return range_fail(e);
    return MS_OK;
}

int ms_tc_ms_to_frames(int64_t ms, ms_rate r, int64_t *frames, ms_error *e)
{
    rate_info ri;
    if (!rate_info_of(r, &ri)) return rate_fail(e, r);
    if (!mul_div_round(ms, ri.num, ri.den * 1000, frames)) return range_fail(e);
    return MS_OK;
}

int ms_tc_convert(int64_t frames, ms_rate from, ms_rate to, int64_t *out, ms_error *e)
{
    rate_info a, b;
    if (!rate_info_of(from, &a)) return rate_fail(e, from);
    if (!rate_info_of(to, &b)) return rate_fail(e, to);
    /* frames / from = t seconds = out / to: out = frames * to.num * from.den / (to.den *
     * from.num). Normal forms keep both factors below 2^31. */
    if (!mul_div_round(frames, b.num * a.den, b.den * a.num, out)) return range_fail(e);
    return MS_OK;
}
