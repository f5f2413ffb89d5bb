/* fuzz_textgram.c: libFuzzer target for src/core/textgram (folding, words, n-grams).
 * Input: any bytes, taken as a text to fold, as a document and as a query.
 * Invariants: no crash, no leak, no sanitizer report; folding fails exactly on invalid UTF-8
 * and then appends nothing; folded text is valid UTF-8 without leading, trailing or double
 * spaces and without private-use characters, and folding it again changes nothing; a
 * document's tokens have consecutive positions from 0, are non-empty and hold no space; a
 * query either fails with a sentence or gives terms numbered from 0 whose tokens are
 * numbered from 0 in each term. */
#include "core/textgram.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        if ((c >= 0x80 && c < 0xC2) || c > 0xF4 || i + len > n) return false;
        uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        if ((cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000) return false; /* private use */
        i += len;
    }
    return true;
}

typedef struct doc_check {
    int next;
} doc_check;

static int on_token(void *ctx, const char *tok, size_t len, int pos)
{
    doc_check *d = ctx;
    if (pos != d->next++ || !len || memchr(tok, ' ', len)) abort();
    return 0;
}

typedef struct query_check {
    int term, idx;
} query_check;

static int on_term(void *ctx, int term, int idx, const char *tok, size_t len)
{
    query_check *q = ctx;
    if (term == q->term + 1) {
        q->term = term;
        q->idx = 0;
    }
    if (term != q->term || idx != q->idx++ || !len || memchr(tok, ' ', len)) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    ms_buf f;
    ms_buf_init(&f);
    ms_error e;
    ms_error_clear(&e);
    int rc = tg_fold(s, size, &f, &e);
    if (rc) {
        if (rc != MS_EINVAL || f.len || !e.detail[0]) abort();
    } else if (f.len) {
        if (f.data[0] == ' ' || f.data[f.len - 1] == ' ' || strstr(f.data, "  ") ||
            !valid_utf8((const unsigned char *)f.data, f.len))
            abort();
        ms_buf g;
        ms_buf_init(&g);
        if (tg_fold(f.data, f.len, &g, &e) || g.len != f.len || memcmp(f.data, g.data, f.len))
            abort();
        ms_buf_free(&g);
    }
    doc_check d = {0};
    int drc = tg_doc_tokens(s, size, size % 7 ? 0 : 16, on_token, &d, &e);
    if ((drc != 0) != (rc != 0)) abort();
    query_check q = {-1, 0};
    ms_error_clear(&e);
    int n = tg_query_terms(s, size, on_term, &q, &e);
    if (n < 0 ? !e.detail[0] : n != q.term + 1) abort();
    ms_buf_free(&f);
    return 0;
}
