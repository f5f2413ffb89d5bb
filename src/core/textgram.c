/* textgram.c: folding, words and n-grams for search. See textgram.h. The tables cover the
 * scripts our users write names in; everything else passes through as it is (a letter of a
 * script we do not fold is still a letter, and its n-grams still find it). */
#include "core/textgram.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Decode one code point of `s` at `*i` (< n): the code point, or -1 for invalid UTF-8
 * (overlong forms, surrogates, beyond U+10FFFF, truncated sequences). */
static int32_t utf8_next(const unsigned char *s, size_t n, size_t *i)
{
    unsigned c = s[*i];
    if (c < 0x80) {
        (*i)++;
        return (int32_t)c;
    }
    int len;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
        len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (*i + (size_t)len > n) return -1;
    for (int k = 1; k < len; k++) {
        unsigned b = s[*i + (size_t)k];
        if ((b & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    *i += (size_t)len;
    return (int32_t)cp;
}

static size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Latin-1 Supplement U+00C0..U+00FF and Latin Extended-A U+0100..U+017F, one character each:
 * a lower-case ASCII letter, '.' for a separator (multiplication and division signs), or a
 * digit naming a two-letter folding (below). */
static const char latin1[] = "aaaaaa1ceeeeiiiidnooooo.ouuuuy23"
                             "aaaaaa1ceeeeiiiidnooooo.ouuuuy2y";
static const char latin_ext_a[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii44jjkkk"
                                  "llllllllllnnnnnnnnnoooooo55rrrrrrssssssssttttttuuuuuuuuuuuu"
                                  "wwyyyzzzzzzs";
static const char *const pairs[] = {"", "ae", "th", "ss", "ij", "oe"};
_Static_assert(sizeof latin1 == 0x40 + 1, "one folding per character of U+00C0..U+00FF");
_Static_assert(sizeof latin_ext_a == 0x80 + 1, "one folding per character of U+0100..U+017F");

/* Characters that separate words besides ASCII non-alphanumerics. */
static bool is_separator(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
           (cp >= 0x2000 && cp <= 0x206F) || /* General Punctuation */
           (cp >= 0x20A0 && cp <= 0x20CF) || /* currency symbols */
           (cp >= 0x2E00 && cp <= 0x2E7F) || /* Supplemental Punctuation */
           (cp >= 0x3000 && cp <= 0x3004) || (cp >= 0x3008 && cp <= 0x3020) || cp == 0x3030 ||
           cp == 0x303D || cp == 0x30FB ||   /* katakana middle dot */
           (cp >= 0x0F04 && cp <= 0x0F14) || /* Tibetan marks, tsheg and shad */
           cp == 0x0F3A || cp == 0x0F3B || cp == 0x0F3C || cp == 0x0F3D ||
           (cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE6F) || cp == 0xFEFF ||
           (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0x1680 ||
           cp == 0x0387 || cp == 0x055D || cp == 0x05BE || cp == 0x060C || cp == 0x061B ||
           cp == 0x061F || cp == 0x06D4 || cp == 0x0964 || cp == 0x0965 || cp == 0x0E2F ||
           cp == 0x0E5A || cp == 0x0E5B;
}

static bool is_private_use(uint32_t cp)
{
    return (cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000;
}

static bool is_combining(uint32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0x200D;
}

bool tg_is_cjk(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x2E80 && cp <= 0x2FDF) ||
           (cp >= 0x3005 && cp <= 0x3007) || (cp >= 0x3021 && cp <= 0x3029) ||
           (cp >= 0x3038 && cp <= 0x303C) || (cp >= 0x3040 && cp <= 0x30FF && cp != 0x30FB) ||
           (cp >= 0x3100 && cp <= 0x31BF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xAC00 && cp <= 0xD7FF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF66 && cp <= 0xFFDC) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);
}

enum { F_SEP = -1, F_DROP = -2 };

/* Fold one code point into `out` (up to 4 bytes): its length, F_SEP or F_DROP. */
static int fold_cp(uint32_t cp, char *out)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0; /* fullwidth ASCII */
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z') cp += 32;
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
            out[0] = (char)cp;
            return 1;
        }
        return F_SEP;
    }
    if (cp >= 0xC0 && cp <= 0x17F) {
        char f = cp < 0x100 ? latin1[cp - 0xC0] : latin_ext_a[cp - 0x100];
        if (f == '.') return F_SEP;
        if (f >= '1' && f <= '5') {
            memcpy(out, pairs[f - '0'], 2);
            return 2;
        }
        out[0] = f;
        return 1;
    }
    if (is_separator(cp)) return F_SEP;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return F_SEP;
    if (is_private_use(cp) || is_combining(cp)) return F_DROP;
    if ((cp >= 0x391 && cp <= 0x3A9) && cp != 0x3A2)
        cp += 0x20; /* Greek capitals */
    else if (cp >= 0x410 && cp <= 0x42F)
        cp += 0x20; /* Cyrillic capitals */
    else if (cp >= 0x400 && cp <= 0x40F)
        cp += 0x50;
    return (int)utf8_put(cp, out);
}

int tg_fold(const char *s, size_t n, ms_buf *out, ms_error *err)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t start = out->len;
    bool need_space = out->len && out->data[out->len - 1] != ' ', in_word = false;
    for (size_t i = 0; i < n;) {
        int32_t cp = utf8_next(u, n, &i);
        if (cp < 0) {
            out->len = start;
            if (out->data) out->data[start] = 0;
            return ms_fail(err, MS_EINVAL, "invalid-utf8", "The text is not valid UTF-8.");
        }
        char f[4];
        int k = fold_cp((uint32_t)cp, f);
        if (k == F_DROP) continue;
        if (k == F_SEP) {
            if (in_word) need_space = true;
            in_word = false;
            continue;
        }
        if (need_space) ms_buf_putc(out, ' ');
        need_space = false;
        in_word = true;
        ms_buf_append(out, f, (size_t)k);
    }
    return out->oom ? ms_fail(err, MS_ENOMEM, NULL, "out of memory") : 0;
}

/* ---- Words into n-grams. ---- */

/* The offsets of the code points of a folded word (valid UTF-8 by construction), with one
 * more at the end: `off` has room for len + 1 entries. */
static int split_cps(const char *w, size_t len, size_t *off, bool *cjk)
{
    int n = 0;
    size_t i = 0;
    while (i < len) {
        off[n] = i;
        int32_t cp = utf8_next((const unsigned char *)w, len, &i);
        cjk[n] = cp >= 0 && tg_is_cjk((unsigned)cp);
        n++;
    }
    off[n] = len;
    return n;
}

typedef struct doc_state {
    tg_token_fn fn;
    void *ctx;
    int pos, max_pos;
    size_t *off;
    bool *cjk;
} doc_state;

static int emit(doc_state *d, const char *tok, size_t len)
{
    if (d->max_pos > 0 && d->pos >= d->max_pos) return 1; /* full: stop quietly */
    int rc = d->fn(d->ctx, tok, len, d->pos);
    d->pos++;
    return rc;
}

static int doc_word(doc_state *d, const char *w, size_t len)
{
    int n = split_cps(w, len, d->off, d->cjk), rc = 0;
    for (int i = 0; !rc && i + 3 <= n; i++)
        rc = emit(d, w + d->off[i], d->off[i + 3] - d->off[i]);
    if (!rc) rc = emit(d, TG_SEP, TG_SEP_LEN);
    for (int i = 0; !rc && i + 2 <= n; i++)
        rc = emit(d, w + d->off[i], d->off[i + 2] - d->off[i]);
    for (int i = 0; !rc && i < n; i++)
        if (d->cjk[i]) rc = emit(d, w + d->off[i], d->off[i + 1] - d->off[i]);
    if (!rc) rc = emit(d, TG_SEP, TG_SEP_LEN);
    return rc;
}

/* Fold `s` into a new buffer and the room to split its longest word. */
static int fold_prepare(const char *s, size_t n, ms_buf *f, size_t **off, bool **cjk, ms_error *err)
{
    ms_buf_init(f);
    int rc = tg_fold(s, n, f, err);
    if (rc) {
        ms_buf_free(f);
        return rc;
    }
    *off = malloc((f->len + 2) * sizeof **off);
    *cjk = malloc(f->len + 2);
    if (!*off || !*cjk) {
        free(*off);
        free(*cjk);
        ms_buf_free(f);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    return 0;
}

int tg_doc_tokens(const char *s, size_t n, int max_pos, tg_token_fn fn, void *ctx, ms_error *err)
{
    ms_buf f;
    doc_state d = {.fn = fn, .ctx = ctx, .max_pos = max_pos};
    int rc = fold_prepare(s, n, &f, &d.off, &d.cjk, err);
    if (rc) return rc;
    const char *p = f.data ? f.data : "", *end = p + f.len;
    while (!rc && p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        size_t len = sp ? (size_t)(sp - p) : (size_t)(end - p);
        rc = doc_word(&d, p, len);
        p += len + 1;
    }
    free(d.off);
    free(d.cjk);
    ms_buf_free(&f);
    return rc == 1 ? 0 : rc;
}

int tg_query_terms(const char *q, size_t n, tg_term_fn fn, void *ctx, ms_error *err)
{
    ms_buf f;
    size_t *off;
    bool *cjk;
    int rc = fold_prepare(q, n, &f, &off, &cjk, err);
    if (rc) return rc;
    const char *p = f.data ? f.data : "", *end = p + f.len;
    int term = 0;
    while (!rc && p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        size_t len = sp ? (size_t)(sp - p) : (size_t)(end - p);
        int k = split_cps(p, len, off, cjk);
        if (k == 1 && !cjk[0]) {
            rc = ms_fail(err, MS_EINVAL, "query-word-too-short",
                         "The word \"%.*s\" is too short to search for: give at least two "
                         "letters (one Chinese, Japanese or Korean character is enough).",
                         (int)len, p);
            break;
        }
        if (k == 1) {
            rc = fn(ctx, term, 0, p, len);
        } else if (k == 2) {
            rc = fn(ctx, term, 0, p, len);
        } else {
            for (int i = 0; !rc && i + 3 <= k; i++)
                rc = fn(ctx, term, i, p + off[i], off[i + 3] - off[i]);
        }
        term++;
        p += len + 1;
    }
    if (!rc && !term)
        rc = ms_fail(err, MS_EINVAL, "query-empty",
                     "The query has no word to search for (letters or digits).");
    free(off);
    free(cjk);
    ms_buf_free(&f);
    return rc ? rc : term;
}
