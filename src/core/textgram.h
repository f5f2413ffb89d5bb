/* textgram.h: text folded for search, split into words, and cut into n-grams - what a
 * substring index over names in any script is made of.
 *
 * Folding: ASCII to lower case; the letters of Latin-1 Supplement and Latin Extended-A to
 * lower case without their diacritics ("Zoë" -> "zoe", "Łódź" -> "lodz", "ß" -> "ss");
 * combining marks dropped; Greek and Cyrillic capitals to lower case; fullwidth ASCII
 * (U+FF01..U+FF5E) to ASCII; private-use characters dropped. Words: runs of letters and
 * digits; ASCII punctuation, controls, spaces and the Unicode punctuation blocks (Latin-1
 * punctuation, General Punctuation, CJK Symbols and Punctuation, the middle dots U+00B7 and
 * U+30FB, the Tibetan tsheg, fullwidth punctuation...) separate them. Folded text is the words
 * joined by one space.
 *
 * Documents: for every word, its trigrams at consecutive positions (so a phrase of a query
 * word's trigrams is an exact substring of one word), a separator, its bigrams, and, for CJK
 * characters (Han, Kana, Hangul, Bopomofo), its unigrams, then a separator. The separator
 * (U+E000, a private-use character that folding removes from every input) keeps a phrase
 * from running across two words.
 *
 * Queries: words ANDed; each word of 3 characters or more is the phrase of its trigrams, a
 * 2-character word its bigram, a 1-character CJK word its unigram; a 1-character word of any
 * other script is refused (it would match nearly everything).
 *
 * Not here: any SQL (store/db_text.c writes the tokens into an engine's text index) and any
 * knowledge of what the text is about. Invalid UTF-8 is an error everywhere. */
#ifndef MS_TEXTGRAM_H
#define MS_TEXTGRAM_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

#define TG_SEP     "\xee\x80\x80" /* U+E000: the separator token */
#define TG_SEP_LEN 3
#define TG_MARK    "\xee\x80\x81" /* U+E001: a token no text makes (index markers) */

/* Append the folded text of `s` (`n` bytes) to `out`: words joined by one space, with a space
 * before the first when `out` is not empty and does not end in one. MS_EINVAL on invalid
 * UTF-8 (nothing appended then). */
int tg_fold(const char *s, size_t n, ms_buf *out, ms_error *err);

/* One token: `len` bytes at `tok` (not NUL-terminated), at position `pos` (0-based). */
typedef int (*tg_token_fn)(void *ctx, const char *tok, size_t len, int pos);

/* The tokens of a document (any text: it is folded first). Stops at the first non-zero
 * return of `fn` and returns it; MS_EINVAL on invalid UTF-8. `max_pos` > 0 stops after that
 * many positions (engines limit them). */
int tg_doc_tokens(const char *s, size_t n, int max_pos, tg_token_fn fn, void *ctx, ms_error *err);

/* The terms of a query: for each word, term (0-based) and its tokens in phrase order.
 * `fn` is called with (ctx, term, index in the term, token, length). MS_EINVAL with a
 * sentence in `err` on invalid UTF-8, a query with no word, or a 1-character word that is not
 * CJK. Returns the number of terms (>= 1) on success. */
typedef int (*tg_term_fn)(void *ctx, int term, int idx, const char *tok, size_t len);
int tg_query_terms(const char *q, size_t n, tg_term_fn fn, void *ctx, ms_error *err);

/* Is `cp` a CJK character (Han, Kana, Hangul, Bopomofo)? */
bool tg_is_cjk(unsigned cp);

#endif
