/* db_text.h: the engine-specific text index behind substring search - the one place that
 * knows SQLite's FTS5 and PostgreSQL's tsvector.
 *
 * A text table holds one document per row id: the n-grams of a text (core/textgram.h).
 * SQLite: a contentless FTS5 table `name(doc, content='', columnsize=0, tokenize='ascii')`,
 * whose documents are the tokens separated by spaces (the separator token U+E000 keeps
 * phrases inside one word); a contentless table cannot read a row back, so removing one
 * needs the text it was made from. PostgreSQL: `name(rowid BIGINT PRIMARY KEY, doc tsvector)`
 * with a GIN index, written as a tsvector literal with explicit positions (a separator is a
 * gap in the positions) and queried with a tsquery of `<->` phrases joined by `&`.
 *
 * Row 0 is a marker: present when the index is complete. A database copied by migrate-store
 * has none (the index tables are derived data and are not copied: db_text_derived), which
 * tells the owning module to rebuild.
 *
 * Not here: what the documents are about, and who may see them. */
#ifndef MS_DB_TEXT_H
#define MS_DB_TEXT_H

#include "store/db.h"

#include <stdbool.h>
#include <stdint.h>

/* Tables that hold a text index or are part of one (FTS5's shadow tables): names ending
 * in "_fts" or containing "_fts_". They are derived data: db schema and migrate-store skip
 * them, and the module rebuilds them. */
bool db_text_derived(const char *table);

/* Replace row `rowid`'s document: `old_text` is the text the row was made from (NULL or ""
 * when the row is not in the index), `new_text` the new text (NULL or "": the row leaves the
 * index). Texts are folded and cut into n-grams here. */
int db_text_put(db_conn *c, const char *table, int64_t rowid, const char *old_text,
                const char *new_text, ms_error *err);
/* The most positions of a document the engine indexes (0: no limit): tokens past it are
 * not in the index (tg_doc_tokens' max_pos). */
int db_text_max_pos(db_conn *c);
/* Empty the index (marker included). */
int db_text_clear(db_conn *c, const char *table, ms_error *err);
/* Is the marker row there? / Put it there. */
int db_text_marker(db_conn *c, const char *table, bool *present, ms_error *err);
int db_text_mark(db_conn *c, const char *table, ms_error *err);

/* The row ids whose documents contain every word of `query` (as substrings of one word
 * each), in no particular order, row 0 never. MS_EINVAL with a sentence for a query with
 * no word, a 1-letter word, or invalid UTF-8. Stops at a non-zero return of `fn`. */
typedef int (*db_text_row_fn)(void *ctx, int64_t rowid);
int db_text_search(db_conn *c, const char *table, const char *query, db_text_row_fn fn, void *ctx,
                   ms_error *err);
/* The tokens that at least `min_docs` rows contain, with their row counts, in no particular
 * order (the index's vocabulary: a full read of it, seconds at a million rows). Tokens that
 * no query makes (the separator, the marker) are left out. Stops at a non-zero return. */
typedef int (*db_text_term_fn)(void *ctx, const char *tok, size_t len, int64_t docs);
int db_text_frequent(db_conn *c, const char *table, int64_t min_docs, db_text_term_fn fn, void *ctx,
                     ms_error *err);
/* The engine's query text for `query` (for tests and EXPLAIN): appended to `out`. */
int db_text_query_text(db_conn *c, const char *query, ms_buf *out, ms_error *err);

#endif
